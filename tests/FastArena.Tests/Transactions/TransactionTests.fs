/// Transactions: every member of Transaction and the transaction members of Arena, rollback that
/// restores the arena exactly, savepoints, every misuse, budgets, the closure forms, and the
/// zero-managed-allocation guarantee. One file per test list; this one assembles them.
module FastArena.Tests.TransactionTests

open Expecto
open FastArena.Tests

[<Tests>]
let tests =
    testList
        "Transaction"
        [
            TransactionMemberTests.tests
            TransactionAllocationTests.tests
            TransactionMisuseTests.tests
            TransactionBudgetTests.tests
            TransactionClosureTests.tests
            testSequenced TransactionGarbageTests.tests
        ]
