import CCurl
import Foundation
import Synchronization

/// libcurl's process-wide setup, run once: Swift initializes globals lazily and exactly once.
private let curlGlobalInitialization = curl_global_init(Int(CURL_GLOBAL_ALL))

/// One thread that drives every transfer of a client through one multi handle.
///
/// Transfers are added and cancelled through a command queue; the thread sleeps in `curl_multi_poll` and
/// `curl_multi_wakeup` (the one multi call libcurl allows from other threads) wakes it for new commands.
/// Because one multi handle runs them all, its connection cache is shared: a second request to a host reuses
/// the first one's connection.
final class TransferLoop: Sendable {
    private enum Command {
        case start(Transfer)
        case cancel(Transfer)
    }

    private enum Phase {
        case running
        /// Shutdown asked: the thread fails what is left and exits; the multi handle is still alive.
        case stopping
        /// The thread has exited or is freeing the multi handle: it must not be woken any more.
        case stopped
    }

    private struct State {
        var commands: [Command] = []
        var phase = Phase.running
        var exitWaiters: [CheckedContinuation<Void, Never>] = []
    }

    /// Only the loop thread uses the multi handle, except `curl_multi_wakeup`, which is thread-safe and is only
    /// called under `state`'s lock while the phase is not `.stopped`, so never after `curl_multi_cleanup`.
    private nonisolated(unsafe) let multi: UnsafeMutableRawPointer
    private let state = Mutex(State())
    /// The connection cache's size as configured; the loop thread grows it to the most transfers in flight at once.
    private let maxIdleConnections: Int

    init(maxConnectionsPerHost: Int?, maxIdleConnections: Int) throws(CurlError) {
        guard curlGlobalInitialization == CURLE_OK else {
            throw CurlError(code: CurlError.Code(curlGlobalInitialization), message: "curl_global_init failed")
        }
        guard let multi = curl_multi_init() else {
            throw CurlError(code: CurlError.Code(CURLE_FAILED_INIT), message: "libcurl could not create a multi handle")
        }
        var options = [(CURLMOPT_MAXCONNECTS, maxIdleConnections, "maxIdleConnections")]
        if let maxConnectionsPerHost { options.append((CURLMOPT_MAX_HOST_CONNECTIONS, maxConnectionsPerHost, "maxConnectionsPerHost")) }
        for (option, value, name) in options {
            let code = ccurl_multi_setopt_long(multi, option, value)
            guard code == CURLM_OK else {
                curl_multi_cleanup(multi)
                throw CurlError(code: .invalidArgument, message: "libcurl refused \(name): \(String(cString: curl_multi_strerror(code)))")
            }
        }
        self.multi = multi
        self.maxIdleConnections = maxIdleConnections
        let thread = Thread { [self] in run() }
        thread.name = "leadgate-curl"
        thread.start()
    }

    /// Runs `transfer` on the loop thread and returns its outcome; cancelling the calling task removes it.
    func perform(_ transfer: Transfer) async -> Result<TransferOutcome, CurlError> {
        await withTaskCancellationHandler {
            await withCheckedContinuation { continuation in
                // Checked under the lock: a cancellation handler that ran before this point queued its `.cancel`
                // ahead of our `.start`, where it would have found nothing to cancel.
                start(transfer, unless: { Task.isCancelled }) { continuation.resume(returning: $0) }
            }
        } onCancel: {
            state.withLock { state in
                guard state.phase != .stopped else { return }
                queue(.cancel(transfer), in: &state)
            }
        }
    }

    /// Starts `transfer` on the loop thread; `completion` gets its outcome there. Fails it with `.cancelled` when
    /// `cancelled` says so at the moment it would be queued, and with `.shutDown` once the loop is stopping.
    func start(
        _ transfer: Transfer, unless cancelled: () -> Bool = { false },
        completion: @escaping @Sendable (Result<TransferOutcome, CurlError>) -> Void
    ) {
        transfer.completion = completion
        let refusal: CurlError? = state.withLock { state in
            guard state.phase == .running else { return .shutDown }
            if cancelled() { return .cancelled }
            queue(.start(transfer), in: &state)
            return nil
        }
        if let refusal { transfer.complete(.failure(refusal)) }
    }

    /// Queues `command`, waking the thread only when the queue was empty: the thread takes the whole queue on every
    /// wake-up, so a later command finds a wake-up still pending, and a burst of starts costs one.
    private func queue(_ command: Command, in state: inout State) {
        if state.commands.isEmpty { curl_multi_wakeup(multi) }
        state.commands.append(command)
    }

    /// Asks the thread to fail what is in flight and exit, without waiting.
    func requestStop() {
        state.withLock { state in
            guard state.phase == .running else { return }
            state.phase = .stopping
            curl_multi_wakeup(multi)
        }
    }

    /// Stops the thread and returns once it has exited and freed the multi handle.
    func stop() async {
        await withCheckedContinuation { continuation in
            let exited = state.withLock { state in
                if state.phase == .stopped { return true }
                state.exitWaiters.append(continuation)
                if state.phase == .running {
                    state.phase = .stopping
                    curl_multi_wakeup(multi)
                }
                return false
            }
            if exited { continuation.resume() }
        }
    }

    private func run() {
        var active: [UnsafeMutableRawPointer: Transfer] = [:]
        // libcurl's cache counts the connections in use too: with more transfers in flight than it holds, each one
        // that finishes closes its connection, and the next request opens another (a channel with 128 requests in
        // flight and a cache of 64 opened 12,967 connections for 20,000 deliveries). So it never holds fewer than
        // the most transfers that have been in flight at once, and never shrinks: a lull closes nothing.
        var cacheSize = maxIdleConnections
        while true {
            let (commands, stopping) = state.withLock { state in
                defer { state.commands.removeAll(keepingCapacity: true) }
                return (state.commands, state.phase != .running)
            }
            for command in commands {
                switch command {
                case .start(let transfer):
                    guard let handle = transfer.handle else { continue }
                    let code = curl_multi_add_handle(multi, handle)
                    if code == CURLM_OK {
                        active[handle] = transfer
                        if active.count > cacheSize {
                            cacheSize = active.count
                            _ = ccurl_multi_setopt_long(multi, CURLMOPT_MAXCONNECTS, cacheSize)
                        }
                    } else {
                        let message = "libcurl could not start the transfer: \(String(cString: curl_multi_strerror(code)))"
                        transfer.complete(.failure(CurlError(code: CurlError.Code(CURLE_FAILED_INIT), message: message)))
                    }
                case .cancel(let transfer):
                    // Not active: it finished first, and its task already has the outcome.
                    guard let handle = transfer.handle, active.removeValue(forKey: handle) != nil else { continue }
                    curl_multi_remove_handle(multi, handle)
                    transfer.complete(.failure(.cancelled))
                }
            }
            if stopping { break }

            var running: Int32 = 0
            curl_multi_perform(multi, &running)
            var queued: Int32 = 0
            while let message = curl_multi_info_read(multi, &queued) {
                guard message.pointee.msg == CURLMSG_DONE, let handle = message.pointee.easy_handle else { continue }
                // Read before removing the handle: the message does not outlive it.
                let code = message.pointee.data.result
                curl_multi_remove_handle(multi, handle)
                active.removeValue(forKey: handle)?.finish(code)
            }
            // Sleeps until a socket is ready, a curl timer is due or `curl_multi_wakeup`; the timeout only bounds it.
            curl_multi_poll(multi, nil, 0, 1000, nil)
        }

        for (handle, transfer) in active {
            curl_multi_remove_handle(multi, handle)
            transfer.complete(.failure(.shutDown))
        }
        // Under the lock, so `stop()` never returns while the handle is still being freed.
        let waiters = state.withLock { state in
            state.phase = .stopped
            curl_multi_cleanup(multi)
            return state.exitWaiters
        }
        for waiter in waiters { waiter.resume() }
    }
}
