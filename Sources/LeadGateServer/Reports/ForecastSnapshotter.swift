import Foundation
import Logging
import ServiceLifecycle

/// Takes the forecast snapshot of each quarter when it begins (rebuilt as the forecast stood the day before, so a
/// gateway that was down on the first day still snapshots what was known then), checking hourly.
struct ForecastSnapshotter: Service {
    let reports: ReportService
    let logger: Logger

    func run() async throws {
        while !Task.isShuttingDownGracefully, !Task.isCancelled {
            do {
                if try await !reports.hasSnapshotOfCurrentQuarter() {
                    let taken = try await reports.takeSnapshot(period: .quarter)
                    logger.info("forecast snapshot taken", metadata: ["rows": "\(taken.count)"])
                }
            } catch {
                logger.error("forecast snapshot failed", metadata: ["error": "\(error)"])
            }
            try? await cancelWhenGracefulShutdown { try await Task.sleep(for: .seconds(3600)) }
        }
    }
}
