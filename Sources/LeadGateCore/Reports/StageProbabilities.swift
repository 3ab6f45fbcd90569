import Foundation

/// One closed opportunity seen at one stage: it reached `stage` of `product`, and was then won or lost.
/// A closed opportunity gives one observation per open stage it passed through.
public struct StageObservation: Sendable, Hashable {
    public var product: String
    public var stage: String
    public var won: Bool

    /// An outcome of `product` seen at `stage`.
    public init(product: String, stage: String, won: Bool) {
        self.product = product
        self.stage = stage
        self.won = won
    }
}

/// The win probability of each product's stages that the forecast weighs open opportunities by:
/// as configured, or learned from outcomes.
///
/// Learned (`probability: learned`): for a product and an open stage with configured probability
/// `p₀`, of the `n` closed opportunities observed at that stage `wins` were won, and
///
///     p = (wins + k·p₀) / (n + k)
///
/// with `k` the prior weight (`prior_weight`, default 10). The observed win rate is shrunk toward the
/// configured value: with few outcomes `p` stays near `p₀`, with many it approaches `wins / n`. With
/// `n + k = 0` it is `p₀`. `won` stays 1 and `lost` 0. Observations of a stage the product does not
/// configure are ignored (there is no `p₀` to shrink toward). The result depends only on the counts, so
/// it is the same whatever the order of the observations.
public struct StageProbabilities: Sendable, Hashable {
    /// Product → stage → probability.
    private let table: [String: [String: Double]]

    /// The configured probabilities, by product name.
    public init(configured tables: [String: StageTable]) {
        table = tables.mapValues { Dictionary(uniqueKeysWithValues: $0.stages.map { ($0.name, $0.probability) }) }
    }

    /// Probabilities learned from `observations`, shrunk toward `tables` with weight `priorWeight` (0 or more).
    public init(configured tables: [String: StageTable], learnedFrom observations: some Sequence<StageObservation>, priorWeight: Double = 10) {
        var seen: [StageKey: (wins: Int, count: Int)] = [:]
        for observation in observations {
            let key = StageKey(product: observation.product, stage: observation.stage)
            seen[key, default: (0, 0)].count += 1
            if observation.won { seen[key, default: (0, 0)].wins += 1 }
        }
        table = Dictionary(uniqueKeysWithValues: tables.map { product, stages in
            (product, Dictionary(uniqueKeysWithValues: stages.stages.map { stage -> (String, Double) in
                guard stage.name != StageTable.won, stage.name != StageTable.lost else { return (stage.name, stage.probability) }
                let outcomes = seen[StageKey(product: product, stage: stage.name)] ?? (0, 0)
                let weight = Double(outcomes.count) + priorWeight
                let learned = weight > 0 ? (Double(outcomes.wins) + priorWeight * stage.probability) / weight : stage.probability
                return (stage.name, learned)
            }))
        })
    }

    /// The probability of `stage` of `product`; nil when that product or stage is not known.
    public func probability(product: String?, stage: String) -> Double? {
        guard let product else { return nil }
        return table[product]?[stage]
    }
}

private struct StageKey: Hashable {
    var product: String
    var stage: String
}
