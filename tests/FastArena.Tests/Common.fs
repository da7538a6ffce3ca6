/// Helpers shared by the example tests: arena constructors, address arithmetic, the BytesAllocated
/// prediction (size plus alignment padding; blocks are page-aligned so padding depends on offsets
/// only), and the "throws and changes nothing" assertion every bad-input test uses.
module FastArena.Tests.Common

open System
open System.Collections
open System.Collections.Generic
open System.Runtime.CompilerServices
open System.Runtime.InteropServices
open Microsoft.FSharp.NativeInterop
open Expecto
open FastArena
open FastArena.Testing.Unchanged

/// An arena in unchecked mode (what Release users get by default), with the given first block.
let unchecked (initial: int64) =
    new Arena(ArenaOptions(InitialBlockSize = initial, CheckedMode = false))

/// An arena in checked mode, with the given first block.
let checkedArena (initial: int64) =
    new Arena(ArenaOptions(InitialBlockSize = initial, CheckedMode = true))

/// The address a void pointer holds.
let vaddr (p: voidptr) : nativeint =
    NativePtr.toNativeInt (NativePtr.ofVoidPtr<byte> p)

/// The address of a typed pointer.
let paddr (p: nativeptr<'T>) : nativeint = NativePtr.toNativeInt p

/// The address of a span's first element.
let spanAddr (s: Span<'T>) : nativeint =
    vaddr (Unsafe.AsPointer(&MemoryMarshal.GetReference s))

/// The address of a read-only span's first element.
let roAddr (s: ReadOnlySpan<'T>) : nativeint =
    vaddr (Unsafe.AsPointer(&Unsafe.AsRef(&MemoryMarshal.GetReference s)))

/// The address a reference points at.
let inline refAddr (r: byref<'T>) : nativeint = vaddr (Unsafe.AsPointer(&r))

/// Whether an address is a multiple of `alignment`.
let isAligned (alignment: int64) (address: nativeint) = int64 address % alignment = 0L

/// `x` rounded up to a multiple of `alignment` (a power of two).
let alignUp (alignment: int64) (x: int64) =
    (x + alignment - 1L) &&& ~~~(alignment - 1L)

/// The documented BytesAllocated after a request of `size` bytes at `alignment`, made at block
/// offset `offset` when the block starts page-aligned and the request fits: the padding plus the size.
let after (offset: int64) (alignment: int64) (size: int64) = alignUp alignment offset + size

/// Reads `count` bytes at an address.
let readBytes (address: nativeint) (count: int) : byte[] =
    ReadOnlySpan<byte>(NativePtr.toVoidPtr (NativePtr.ofNativeInt<byte> address), count).ToArray()

/// Stats, cursor (block, offset) and depth. The checkpoint's epoch is left out: a failed request
/// that had taken bytes gives them back with a rewind, which is allowed to count as one.
let describe (arena: Arena) =
    let cp = arena.GetCheckpoint()
    arena.Stats, (cp.BlockIndex, cp.Offset, cp.Position), arena.TransactionDepth

/// Asserts that `f` throws exactly `'E`, and that afterwards the arena's stats, its cursor (the
/// checkpoint, which also records every rewind), its transaction depth and the witness's contents
/// are what they were before.
let throwsUnchanged<'E when 'E :> exn> arena w message f =
    throwsUnchangedBy<'E, _> describe "stats, cursor and depth" arena w message f

/// Like `throwsUnchanged`, for a call that must return false (a Try variant).
let falseUnchanged arena w message f =
    falseUnchangedBy describe "stats, cursor and depth" arena w message f

/// What an inline try/with returns when nothing was thrown (for ref structs, which closures cannot capture).
let none: exn | null = null

/// Whether what an inline try/with caught is exactly `'E`.
let isExn<'E when 'E :> exn> (e: exn | null) =
    match e with
    | null -> false
    | e -> e.GetType() = typeof<'E>

/// Runs `f` on a fresh thread and returns what it threw (null when nothing).
let onOtherThread (f: unit -> unit) : exn | null =
    let mutable caught: exn | null = null

    let t =
        Threading.Thread(fun () ->
            try
                f ()
            with e ->
                caught <- e)

    t.Start()
    t.Join()
    caught

/// 1024 bytes: `Int32.MaxValue` of them is past Arena.MaxRequestSize, so slice lengths can overflow it.
[<Struct; StructLayout(LayoutKind.Sequential, Size = 1024)>]
type Big =
    val B: byte

/// A collection whose Count lies: it promises `count` items and yields `items`.
type LyingCollection(items: int64[], count: int) =
    interface ICollection<int64> with
        member _.Count = count
        member _.IsReadOnly = true
        member _.Add _ = raise (NotSupportedException())
        member _.Clear() = raise (NotSupportedException())
        member _.Contains x = Array.contains x items

        member _.CopyTo(array, index) =
            Array.blit items 0 array index items.Length

        member _.Remove _ = raise (NotSupportedException())

    interface IEnumerable<int64> with
        member _.GetEnumerator() =
            (items :> IEnumerable<int64>).GetEnumerator()

    interface IEnumerable with
        member _.GetEnumerator() = items.GetEnumerator()
