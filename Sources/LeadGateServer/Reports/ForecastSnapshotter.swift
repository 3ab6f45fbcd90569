import Foundation
import LeadGateCore
import Logging
import ServiceLifecycle

/// Takes the forecast snapshot of each quarter, half and year when it begins (rebuilt as the forecast stood the day before, so a
/// gateway that was down on the first day still snapshots what was known then), checking hourly.
struct ForecastSnapshotter: Service {
    let reports: ReportService
    let logger: Logger

    func run() async throws {
        while !Task.isShuttingDownGracefully, !Task.isCancelled {
            do {
                for period in ReportPeriod.allCases where try await !reports.hasSnapshot(of: period) {
                    let taken = try await reports.takeSnapshot(period: period)
                    logger.info("forecast snapshot taken", metadata: ["period": "\(period.rawValue)", "rows": "\(taken.count)"])
                }
            } catch {
                logger.error("forecast snapshot failed", metadata: ["error": "\(error)"])
            }
            try? await cancelWhenGracefulShutdown { try await Task.sleep(for: .seconds(3600)) }
        }
    }
}
