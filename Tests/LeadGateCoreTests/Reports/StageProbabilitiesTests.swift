import Foundation
import Testing
@testable import LeadGateCore

@Suite("Stage probabilities and forecast settings")
struct StageProbabilitiesTests {
    /// `count` observations at `stage` of crm, the first `wins` of them won.
    static func outcomes(_ stage: String, wins: Int, of count: Int) -> [StageObservation] {
        (0..<count).map { StageObservation(product: "crm", stage: stage, won: $0 < wins) }
    }

    @Test("configured probabilities are the table's")
    func configured() {
        let probabilities = StageProbabilities(configured: ["crm": .standard])
        #expect(probabilities.probability(product: "crm", stage: "proposal") == 0.5)
        #expect(probabilities.probability(product: "crm", stage: StageTable.won) == 1)
        #expect(probabilities.probability(product: "crm", stage: "demo") == nil)
        #expect(probabilities.probability(product: "other", stage: "proposal") == nil)
        #expect(probabilities.probability(product: nil, stage: "proposal") == nil)
    }

    @Test("few outcomes stay near the configured value")
    func fewOutcomes() {
        // proposal is configured 0.5; 2 of 2 won; k = 10: (2 + 10 × 0.5) / (2 + 10) = 7 / 12 = 0.58333…
        let probabilities = StageProbabilities(configured: ["crm": .standard], learnedFrom: Self.outcomes("proposal", wins: 2, of: 2))
        #expect(approximately(probabilities.probability(product: "crm", stage: "proposal"), 7.0 / 12.0))
        // No outcomes at contacted: (0 + 10 × 0.2) / (0 + 10) = 0.2.
        #expect(approximately(probabilities.probability(product: "crm", stage: "contacted"), 0.2))
        #expect(probabilities.probability(product: "crm", stage: StageTable.won) == 1)
        #expect(probabilities.probability(product: "crm", stage: StageTable.lost) == 0)
    }

    @Test("many outcomes approach the observed rate")
    func manyOutcomes() {
        // 50 of 200 won at proposal (observed 0.25): (50 + 10 × 0.5) / (200 + 10) = 55 / 210 = 0.261904…
        let observations = Self.outcomes("proposal", wins: 50, of: 200)
        let learned = StageProbabilities(configured: ["crm": .standard], learnedFrom: observations)
        #expect(approximately(learned.probability(product: "crm", stage: "proposal"), 55.0 / 210.0))
        // The same counts in another order give the same number.
        let reversed = StageProbabilities(configured: ["crm": .standard], learnedFrom: observations.reversed())
        #expect(reversed == learned)
        // k = 20: (50 + 20 × 0.5) / (200 + 20) = 60 / 220 = 0.272727…
        let heavier = StageProbabilities(configured: ["crm": .standard], learnedFrom: observations, priorWeight: 20)
        #expect(approximately(heavier.probability(product: "crm", stage: "proposal"), 60.0 / 220.0))
        // k = 0: the observed rate alone, 50 / 200.
        let unshrunk = StageProbabilities(configured: ["crm": .standard], learnedFrom: observations, priorWeight: 0)
        #expect(unshrunk.probability(product: "crm", stage: "proposal") == 0.25)
    }

    @Test("outcomes of other products and of unconfigured stages change nothing")
    func unrelatedOutcomes() {
        let observations = [
            StageObservation(product: "ads", stage: "proposal", won: true),
            StageObservation(product: "crm", stage: "demo", won: true),
        ]
        let learned = StageProbabilities(configured: ["crm": .standard], learnedFrom: observations)
        #expect(learned == StageProbabilities(configured: ["crm": .standard]))
        #expect(learned.probability(product: "crm", stage: "demo") == nil)
    }

    @Test("settings are checked key by key")
    func settings() throws {
        let settings = try ForecastSettings(fiscalYearStartMonth: 4, commitStages: ["negotiation"], probability: .learned, priorWeight: 5)
        #expect(settings.commitStages == ["negotiation"])
        #expect(try ForecastSettings().priorWeight == 10)
        #expect(try ForecastSettings().commitStages.isEmpty)
        do {
            _ = try ForecastSettings(fiscalYearStartMonth: 13, commitStages: ["negotiation", "won"], priorWeight: -1)
            Issue.record("expected an error")
        } catch {
            #expect(error.problems.map(\.key) == ["fiscal_year_start", "commit_stages", "prior_weight"])
            #expect(error.problems[1].index == 1)
        }
        #expect(throws: CriteriaError.self) { try ForecastSettings(priorWeight: .infinity) }
        #expect(throws: CriteriaError.self) { try ForecastSettings(fiscalYearStartMonth: 0) }
    }
}
