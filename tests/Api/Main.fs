/// The public API baseline test: one test per package under src/.
module FastArena.Api.Main

open System
open System.IO
open System.Reflection
open Expecto

/// Where the baseline files live: tests/Api of the repository this test binary was built in.
/// Found at run time by walking up from the binary to the folder that holds FastArena.sln, because
/// `__SOURCE_DIRECTORY__` is a compile-time path: a CI build (`CI=true` turns on
/// ContinuousIntegrationBuild, which maps source paths to `/_/`) would bake in a path that does not exist.
let baselineDirectory =
    let rec up (dir: DirectoryInfo) =
        if isNull dir then
            failwithf "tests/Api: no FastArena.sln above %s; run the test from the repository" AppContext.BaseDirectory
        elif File.Exists(Path.Combine(dir.FullName, "FastArena.sln")) then
            Path.Combine(dir.FullName, "tests", "Api")
        else
            up dir.Parent

    up (DirectoryInfo AppContext.BaseDirectory)

let updating = Environment.GetEnvironmentVariable "FASTARENA_API_UPDATE" = "1"

let howToUpdate (name: string) =
    sprintf
        "If the change to the public API is intended, regenerate the baseline and commit it with the change:\n  tools/update-api.sh   (or: FASTARENA_API_UPDATE=1 dotnet run -c Release --project tests/Api)\n(rewrites tests/Api/%s.txt; review its diff, and note the change in CHANGELOG.md)."
        name

/// The packages whose public surface is pinned. An assembly that is not referenced (a package that
/// does not exist yet) is left out; one with a baseline but no assembly fails.
let packages = [ "FastArena"; "FastArena.FSharp"; "FastArena.AspNetCore" ]

let tryLoad (name: string) =
    try
        Some(Assembly.Load(AssemblyName name))
    with :? FileNotFoundException ->
        None

/// The lines only in `expected` (-) and only in `actual` (+), in the order of each text.
let difference (expected: string) (actual: string) =
    let lines (s: string) =
        s.Split('\n', StringSplitOptions.RemoveEmptyEntries)

    let e, a = lines expected, lines actual
    let inE, inA = set e, set a

    [
        for l in e do
            if not (inA.Contains l) then
                "- " + l
        for l in a do
            if not (inE.Contains l) then
                "+ " + l
    ]
    |> String.concat "\n"

let check (name: string) (assembly: Assembly) =
    let path = Path.Combine(baselineDirectory, name + ".txt")
    let actual = ApiText.render assembly

    if updating then
        File.WriteAllText(path, actual)
        printfn "api: wrote %s" path
    elif not (File.Exists path) then
        failtestf "%s has no public API baseline (tests/Api/%s.txt).\n%s" name name (howToUpdate name)
    else
        let expected = File.ReadAllText(path).Replace("\r\n", "\n")

        if expected <> actual then
            failtestf
                "The public API of %s differs from its baseline tests/Api/%s.txt:\n%s\n\n%s"
                name
                name
                (difference expected actual)
                (howToUpdate name)

let tests =
    testList
        "public API"
        [
            for name in packages do
                match tryLoad name with
                | Some assembly -> test (sprintf "%s matches tests/Api/%s.txt" name name) { check name assembly }
                | None when File.Exists(Path.Combine(baselineDirectory, name + ".txt")) ->
                    test (sprintf "%s is built" name) {
                        failtestf "tests/Api/%s.txt exists but the assembly %s is not referenced by tests/Api" name name
                    }
                | None -> ()
        ]

[<EntryPoint>]
let main argv =
    FastArena.Testing.TestMain.run argv (testList "FastArena.Api" [ tests ])
