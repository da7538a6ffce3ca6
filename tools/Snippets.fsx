// Keeps the README's code snippets equal to the compiled samples they quote, so they cannot rot.
//
// In a Markdown file, a line `<!-- snippet: PATH#NAME -->` followed by a fenced code block marks a
// quote of the region NAME of PATH (relative to the repository root). In C# a region is the lines
// between `#region NAME` and `#endregion`; in F#, between `// #region NAME` and `// #endregion`.
//
//   dotnet fsi tools/Snippets.fsx --check FILE.md...   exit 1 and name each snippet that differs
//   dotnet fsi tools/Snippets.fsx --update FILE.md...  rewrite the snippets from the samples
//   dotnet fsi tools/Snippets.fsx --paste LANG FILE.md  print FILE.md's snippets fenced as LANG
//                                                        (csharp, fsharp) one after the other, as a
//                                                        reader pastes them into one program
//
// The files are the README and the package README (src/PACKAGE.md). build.sh's consumer check then
// pastes the README's snippets into new projects that install the packed packages, and runs them.

open System
open System.IO
open System.Text.RegularExpressions

let root = Path.GetFullPath(Path.Combine(__SOURCE_DIRECTORY__, ".."))

let region (path: string) (name: string) : string list =
    let lines = File.ReadAllLines(Path.Combine(root, path)) |> List.ofArray

    let isStart (l: string) =
        Regex.IsMatch(l.Trim(), $@"^(//\s*)?#region\s+{Regex.Escape name}\s*$")

    let isEnd (l: string) =
        Regex.IsMatch(l.Trim(), @"^(//\s*)?#endregion\b")

    match lines |> List.skipWhile (isStart >> not) with
    | [] -> failwithf "%s: no region '%s'" path name
    | _ :: rest ->
        let body = rest |> List.takeWhile (isEnd >> not)

        let indent =
            body
            |> List.filter (String.IsNullOrWhiteSpace >> not)
            |> List.map (fun l -> l.Length - l.TrimStart().Length)
            |> function
                | [] -> 0
                | xs -> List.min xs

        body
        |> List.map (fun l ->
            if l.Length >= indent then
                l.Substring indent
            else
                l.TrimStart())

/// The document with every snippet replaced by its region, and the names of the snippets that changed.
let render (doc: string list) : string list * string list =
    let marker = Regex(@"^<!--\s*snippet:\s*(\S+)#(\S+)\s*-->\s*$")

    let rec go acc changed lines =
        match lines with
        | [] -> List.rev acc, List.rev changed
        | (m: string) :: (fence: string) :: rest when marker.IsMatch m && fence.StartsWith "```" ->
            let g = marker.Match(m).Groups
            let wanted = region g[1].Value g[2].Value
            let old = rest |> List.takeWhile (fun l -> not (l.StartsWith "```"))
            let after = rest |> List.skip (old.Length + 1)

            let changed =
                if old = wanted then
                    changed
                else
                    $"{g[1].Value}#{g[2].Value}" :: changed

            go ("```" :: List.rev wanted @ fence :: m :: acc) changed after
        | l :: rest -> go (l :: acc) changed rest

    go [] [] doc

/// The text of every snippet in the document whose fence names `lang`, in document order.
let snippets (lang: string) (doc: string list) : string list list =
    let marker = Regex(@"^<!--\s*snippet:\s*(\S+)#(\S+)\s*-->\s*$")

    let rec go acc lines =
        match lines with
        | [] -> List.rev acc
        | (m: string) :: (fence: string) :: rest when marker.IsMatch m && fence.Trim() = "```" + lang ->
            let body = rest |> List.takeWhile (fun l -> not (l.StartsWith "```"))
            go (body :: acc) (rest |> List.skip body.Length)
        | _ :: rest -> go acc rest

    go [] doc

match fsi.CommandLineArgs |> Array.toList |> List.tail with
| [ "--paste"; lang; file ] ->
    match snippets lang (File.ReadAllLines(Path.Combine(root, file)) |> List.ofArray) with
    | [] ->
        eprintfn "%s: no snippet fenced as %s" file lang
        exit 1
    | found -> found |> List.map (String.concat "\n") |> String.concat "\n\n" |> printfn "%s"
| mode :: (_ :: _ as files) when mode = "--check" || mode = "--update" ->
    let mutable failed = false

    for file in files do
        let path = Path.Combine(root, file)
        let rendered, changed = render (File.ReadAllLines path |> List.ofArray)

        if mode = "--update" then
            File.WriteAllLines(path, rendered)
            printfn "%s: %d snippet(s) updated" file changed.Length
        elif changed.IsEmpty then
            printfn "%s: every snippet matches its sample" file
        else
            changed
            |> List.iter (
                eprintfn "%s: snippet %s differs from the sample (run tools/Snippets.fsx --update %s)" file file
            )

            failed <- true

    if failed then
        exit 1
| _ ->
    eprintfn "usage: dotnet fsi tools/Snippets.fsx --check|--update FILE.md... | --paste csharp|fsharp FILE.md"
    exit 2
