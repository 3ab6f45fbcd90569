import Foundation
import Testing
@testable import LeadGateServer

/// The rendered page in a real browser: it loads, draws something at desktop and phone sizes, and the
/// charts are in the document the browser built. Needs Debian's `chromium` (installed when missing; the
/// test fails, saying why, when it cannot be).
@Suite struct DashboardBrowserTests {
    @Test(arguments: DashboardLanguage.allCases)
    func rendersInHeadlessChromium(_ language: DashboardLanguage) async throws {
        let chromium = try Chromium.require()
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("leadgate-dashboard-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        let page = folder.appendingPathComponent("dashboard-\(language.rawValue).html")
        try DashboardRenderer.render(DashboardFixture.busy(language)).write(to: page, atomically: true, encoding: .utf8)

        for (width, height) in [(1280, 800), (390, 844)] {
            let file = folder.appendingPathComponent("dashboard-\(language.rawValue)-\(width)x\(height).png")
            let shot = try await chromium.screenshot(of: page, width: width, height: height, to: file)
            #expect(shot.width == width)
            #expect(shot.height == height)
            // A blank page of these sizes compresses to under 5 KB; this one's cards, tables and charts to 40 KB or more.
            #expect(shot.byteCount > 20_000, "\(width)x\(height): \(shot.byteCount) bytes")
        }

        let dom = try await chromium.dumpDOM(of: page)
        #expect(dom.contains("<html lang=\"\(language.rawValue)\" dir=\"\(language.direction)\">"))
        #expect(dom.contains(#"<svg id="funnel-chart""#))
        #expect(dom.contains(#"<svg id="forecast-chart-ILS""#))
        #expect(dom.contains(#"<svg id="forecast-chart-USD""#))
        let buckets = DashboardFixture.ilsBuckets.count + DashboardFixture.usdBuckets.count
        #expect(RenderedPage.occurrences(of: #"<rect class="bar weighted""#, in: dom) == buckets)
        #expect(RenderedPage.occurrences(of: #"<rect class="bar won""#, in: dom) == buckets)
        #expect(RenderedPage.occurrences(of: #"<rect class="bar stage""#, in: dom) == 3)
        // The browser parsed the hostile names as text, not as elements.
        #expect(!dom.contains("<script"))
    }
}
