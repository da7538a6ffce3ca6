/// Renders an assembly's public surface as sorted lines of text: one line per public type and one per
/// public or protected member, with enough of each signature (parameter names, modifiers, defaults,
/// generic constraints, constant values, base types, interfaces) that any change a caller could notice
/// changes the text.
module FastArena.Api.ApiText

open System
open System.Reflection

let rec typeName (t: Type) : string =
    if t.IsGenericParameter then
        t.Name
    elif t.IsByRef then
        "ref " + typeName (t.GetElementType())
    elif t.IsPointer then
        typeName (t.GetElementType()) + "*"
    elif t.IsArray then
        let rank = t.GetArrayRank()
        typeName (t.GetElementType()) + "[" + String(',', rank - 1) + "]"
    else
        let baseName =
            let n =
                if isNull t.Namespace then
                    t.Name
                else
                    t.Namespace + "." + t.Name

            let n =
                if t.IsNested then
                    typeName t.DeclaringType + "." + t.Name
                else
                    n

            match n.IndexOf '`' with
            | -1 -> n
            | i -> n.Substring(0, i)

        if t.IsGenericType then
            let args =
                t.GetGenericArguments()
                // A nested type repeats its declaring type's generic arguments first.
                |> Array.skip (
                    if t.IsNested then
                        t.DeclaringType.GetGenericArguments().Length
                    else
                        0
                )

            if args.Length = 0 then
                baseName
            else
                baseName + "<" + (args |> Array.map typeName |> String.concat ", ") + ">"
        else
            baseName

let private hasAttribute (name: string) (data: Collections.Generic.IList<CustomAttributeData>) =
    data |> Seq.exists (fun a -> a.AttributeType.Name = name)

let private constraints (args: Type[]) : string =
    args
    |> Array.choose (fun a ->
        let attrs = a.GenericParameterAttributes

        let parts =
            [
                if hasAttribute "IsUnmanagedAttribute" (a.GetCustomAttributesData()) then
                    "unmanaged"
                elif attrs.HasFlag GenericParameterAttributes.NotNullableValueTypeConstraint then
                    "struct"
                if attrs.HasFlag GenericParameterAttributes.ReferenceTypeConstraint then
                    "class"
                for c in a.GetGenericParameterConstraints() do
                    if c <> typeof<ValueType> then
                        typeName c
                if
                    attrs.HasFlag GenericParameterAttributes.DefaultConstructorConstraint
                    && not (attrs.HasFlag GenericParameterAttributes.NotNullableValueTypeConstraint)
                then
                    "new()"
                if
                    a.GetCustomAttributesData()
                    |> Seq.exists (fun d -> d.AttributeType.Name = "AllowByRefLike")
                then
                    "allows ref struct"
            ]

        if parts.IsEmpty then
            None
        else
            Some(sprintf " where %s : %s" a.Name (String.concat ", " parts)))
    |> String.concat ""

let private literal (value: obj) : string =
    match value with
    | null -> "null"
    | :? string as s -> "\"" + s + "\""
    | :? char as c -> "'" + string c + "'"
    | :? bool as b -> if b then "true" else "false"
    | v -> Convert.ToString(v, Globalization.CultureInfo.InvariantCulture)

let private parameter (p: ParameterInfo) : string =
    let t = p.ParameterType

    let modifier =
        if t.IsByRef then
            if p.IsOut then "out "
            elif p.IsIn then "in "
            else "ref "
        elif hasAttribute "ParamArrayAttribute" (p.GetCustomAttributesData()) then
            "params "
        else
            ""

    let shown =
        if t.IsByRef then
            typeName (t.GetElementType())
        else
            typeName t

    let defaultValue =
        if p.HasDefaultValue then
            " = " + literal p.DefaultValue
        else
            ""

    modifier + shown + " " + p.Name + defaultValue

let private parameters (ps: ParameterInfo[]) =
    ps |> Array.map parameter |> String.concat ", "

let private access (isPublic: bool) (isFamily: bool) (isFamilyOrAssembly: bool) =
    if isPublic then Some "public"
    elif isFamily || isFamilyOrAssembly then Some "protected"
    else None

let private methodAccess (m: MethodBase) =
    access m.IsPublic m.IsFamily m.IsFamilyOrAssembly

let private methodModifiers (m: MethodBase) =
    [
        if m.IsStatic then
            "static"
        if m.IsAbstract && not m.DeclaringType.IsInterface then
            "abstract"
        elif m.IsVirtual && not m.IsFinal && not m.DeclaringType.IsInterface then
            "virtual"
    ]
    |> List.map (fun s -> s + " ")
    |> String.concat ""

let private kind (t: Type) =
    if t.IsEnum then
        "enum"
    elif t.IsInterface then
        "interface"
    elif typeof<Delegate>.IsAssignableFrom t then
        "delegate"
    elif t.IsValueType then
        (if hasAttribute "IsReadOnlyAttribute" (t.GetCustomAttributesData()) then
             "readonly "
         else
             "")
        + (if t.IsByRefLike then "ref " else "")
        + "struct"
    elif t.IsAbstract && t.IsSealed then
        "static class"
    elif t.IsAbstract then
        "abstract class"
    elif t.IsSealed then
        "sealed class"
    else
        "class"

let private typeLine (t: Type) =
    let generic =
        if t.IsGenericTypeDefinition then
            constraints (t.GetGenericArguments())
        else
            ""

    let bases =
        [
            if
                not (isNull t.BaseType)
                && t.BaseType <> typeof<obj>
                && t.BaseType <> typeof<ValueType>
                && t.BaseType <> typeof<Enum>
            then
                typeName t.BaseType
            if t.IsEnum then
                typeName (Enum.GetUnderlyingType t)
            for i in t.GetInterfaces() |> Array.map typeName |> Array.sort do
                i
        ]

    let basesText =
        if bases.IsEmpty then
            ""
        else
            " : " + String.concat ", " bases

    sprintf "public %s %s%s%s" (kind t) (typeName t) basesText generic

let private memberLines (t: Type) : string list =
    let flags =
        BindingFlags.Public
        ||| BindingFlags.NonPublic
        ||| BindingFlags.Instance
        ||| BindingFlags.Static
        ||| BindingFlags.DeclaredOnly

    let prefix = "  " + typeName t + "."

    [
        if t.IsEnum then
            for f in t.GetFields(BindingFlags.Public ||| BindingFlags.Static) do
                yield
                    prefix
                    + f.Name
                    + " = "
                    + literal (Convert.ChangeType(f.GetRawConstantValue(), Enum.GetUnderlyingType t))
        else
            for c in t.GetConstructors flags do
                match methodAccess c with
                | Some a ->
                    yield sprintf "%s%s %sctor(%s)" prefix a (methodModifiers c) (parameters (c.GetParameters()))
                | None -> ()

            for m in t.GetMethods flags do
                let accessor = m.IsSpecialName && not (m.Name.StartsWith "op_")

                match methodAccess m with
                | Some a when not accessor ->
                    let generic =
                        if m.IsGenericMethodDefinition then
                            "<"
                            + (m.GetGenericArguments() |> Array.map typeName |> String.concat ", ")
                            + ">"
                        else
                            ""

                    let ret =
                        let r = typeName m.ReturnType

                        if
                            m.ReturnParameter.GetCustomAttributesData()
                            |> hasAttribute "IsReadOnlyAttribute"
                        then
                            r.Replace("ref ", "ref readonly ")
                        else
                            r

                    yield
                        sprintf
                            "%s%s %s%s %s%s(%s)%s"
                            prefix
                            a
                            (methodModifiers m)
                            ret
                            m.Name
                            generic
                            (parameters (m.GetParameters()))
                            (if m.IsGenericMethodDefinition then
                                 constraints (m.GetGenericArguments())
                             else
                                 "")
                | _ -> ()

            for p in t.GetProperties flags do
                let accessors =
                    [
                        match p.GetMethod with
                        | null -> ()
                        | g -> methodAccess g |> Option.map (fun a -> (g, a + " get"))
                        match p.SetMethod with
                        | null -> ()
                        | s ->
                            let init =
                                s.ReturnParameter.GetRequiredCustomModifiers()
                                |> Array.exists (fun m -> m.Name = "IsExternalInit")

                            methodAccess s
                            |> Option.map (fun a -> (s, a + (if init then " init" else " set")))
                    ]
                    |> List.choose id

                match accessors with
                | [] -> ()
                | (first, _) :: _ ->
                    let index =
                        match p.GetIndexParameters() with
                        | [||] -> ""
                        | ps -> "[" + parameters ps + "]"

                    yield
                        sprintf
                            "%s%sproperty %s %s%s { %s }"
                            prefix
                            (methodModifiers first)
                            (typeName p.PropertyType)
                            p.Name
                            index
                            (accessors |> List.map (snd >> sprintf "%s;") |> String.concat " ")

            for f in t.GetFields flags do
                match access f.IsPublic f.IsFamily f.IsFamilyOrAssembly with
                | Some a ->
                    let value =
                        if f.IsLiteral then
                            " = " + literal (f.GetRawConstantValue())
                        else
                            ""

                    let modifiers =
                        (if f.IsLiteral then "const "
                         elif f.IsStatic then "static "
                         else "")
                        + (if f.IsInitOnly then "readonly " else "")

                    yield sprintf "%s%s %sfield %s %s%s" prefix a modifiers (typeName f.FieldType) f.Name value
                | None -> ()

            for e in t.GetEvents flags do
                match e.AddMethod with
                | null -> ()
                | add ->
                    match methodAccess add with
                    | Some a ->
                        yield
                            sprintf
                                "%s%s %sevent %s %s"
                                prefix
                                a
                                (methodModifiers add)
                                (typeName e.EventHandlerType)
                                e.Name
                    | None -> ()
    ]
    |> List.sort

/// The public surface of `assembly`, one line per type and member, types in name order.
let render (assembly: Assembly) : string =
    assembly.GetExportedTypes()
    |> Array.sortBy (fun t -> typeName t)
    |> Array.collect (fun t -> Array.ofList (typeLine t :: memberLines t))
    |> String.concat "\n"
    |> fun text -> text + "\n"
