import Foundation

/// Runs `body`, which blocks (waits for a child process), on a thread of its own and returns what it returns: on one
/// of the few concurrency threads, the wait would hold it from every other test of the suite for as long.
func onThreadOfItsOwn<T: Sendable>(_ body: @escaping @Sendable () throws -> T) async throws -> T {
    try await withCheckedThrowingContinuation { continuation in
        Thread { continuation.resume(with: Result { try body() }) }.start()
    }
}
