import Testing
import LeadGateCore

@Suite("Assignment")
struct CriteriaAssignmentTests {
    private func owners(_ policy: AssignmentPolicy, counters: Range<UInt64>, input: CriteriaInput = CriteriaFixture.input()) -> [String?] {
        counters.map { policy.owner(for: input, counter: $0) }
    }

    private func counts(_ owners: [String?]) -> [String: Int] {
        owners.reduce(into: [:]) { $0[$1 ?? "nobody", default: 0] += 1 }
    }

    @Test("round robin gives each owner a turn in order, and evenly")
    func roundRobin() throws {
        let policy = try AssignmentPolicy.roundRobin(["dana", "avi", "noa"])
        #expect(owners(policy, counters: 0..<6) == ["dana", "avi", "noa", "dana", "avi", "noa"])
        #expect(counts(owners(policy, counters: 0..<300)) == ["dana": 100, "avi": 100, "noa": 100])
        // Any three consecutive counters (as concurrent intakes draw them) reach three different owners.
        for start in UInt64(0)..<50 {
            #expect(Set(owners(policy, counters: start..<start + 3)) == ["dana", "avi", "noa"])
        }
        #expect(policy.owner(for: CriteriaFixture.input(), counter: .max) == "dana")  // 2^64-1 is a multiple of 3
    }

    @Test("unavailable owners get no turn; the fallback takes what nobody can", arguments: [
        (["avi"], nil, ["dana", "noa", "dana", "noa"]),
        (["dana", "avi", "noa"], "boss", ["boss", "boss", "boss", "boss"]),
        (["dana", "avi", "noa"], nil, [nil, nil, nil, nil]),
        (["dana", "avi", "noa", "boss"], "boss", [nil, nil, nil, nil]),
    ] as [([String], String?, [String?])])
    func unavailable(away: [String], fallback: String?, expected: [String?]) throws {
        let policy = try AssignmentPolicy.roundRobin(["dana", "avi", "noa"], unavailable: away, fallback: fallback)
        #expect(owners(policy, counters: 0..<4) == expected)
    }

    @Test("weighted turns are smooth and deterministic", arguments: [
        ([("a", 3), ("b", 1)], ["a", "a", "b", "a"]),
        ([("a", 1), ("b", 1)], ["a", "b"]),
        ([("a", 2), ("b", 2)], ["a", "b"]),            // weights reduced by their common divisor
        ([("a", 5), ("b", 1), ("c", 1)], ["a", "a", "b", "a", "c", "a", "a"]),
        ([("a", 1), ("b", 2)], ["b", "a", "b"]),
    ] as [([(String, Int)], [String])])
    func weightedCycle(weights: [(String, Int)], cycle: [String]) throws {
        let policy = try AssignmentPolicy.weighted(weights.map { AssignmentPolicy.Share($0.0, weight: $0.1) })
        let twice = owners(policy, counters: 0..<UInt64(2 * cycle.count))
        #expect(twice == (cycle + cycle).map(Optional.some))
    }

    @Test("weighted proportions hold over many leads", arguments: [
        [("dana", 3), ("avi", 1)],
        [("dana", 5), ("avi", 3), ("noa", 2)],
        [("dana", 1000), ("avi", 1)],
        [("dana", 7)],
    ] as [[(String, Int)]])
    func weightedProportions(weights: [(String, Int)]) throws {
        let policy = try AssignmentPolicy.weighted(weights.map { AssignmentPolicy.Share($0.0, weight: $0.1) })
        let total = weights.map(\.1).reduce(0, +)
        let rounds = 20
        let assigned = counts(owners(policy, counters: 0..<UInt64(total * rounds)))
        #expect(assigned == Dictionary(uniqueKeysWithValues: weights.map { ($0.0, $0.1 * rounds) }))
        // Smooth: in any run of half a cycle, each owner's turns are within one of their share.
        let half = max(total / 2, 1)
        for start in 0..<UInt64(total) {
            let window = owners(policy, counters: start..<start + UInt64(half))
            for (owner, weight) in weights {
                let share = Double(weight * half) / Double(total)
                #expect(abs(Double(window.filter { $0 == owner }.count) - share) <= 1)
            }
        }
    }

    @Test("weighted: an unavailable owner's share goes to the others")
    func weightedUnavailable() throws {
        let policy = try AssignmentPolicy.weighted(
            [.init("dana", weight: 3), .init("avi", weight: 1), .init("noa", weight: 1)], unavailable: ["dana"]
        )
        #expect(counts(owners(policy, counters: 0..<10)) == ["avi": 5, "noa": 5])
    }

    @Test("rules go in order; unavailable owners are skipped; the fallback takes the rest")
    func rules() throws {
        let policy = try AssignmentPolicy.rules([
            .init(when: CriteriaFixture.test("country", .notIn, CriteriaFixture.bare("IL")), owner: "intl"),
            .init(when: CriteriaFixture.test("fields.budget", .gte, .bare("100k")), owner: "enterprise"),
            .init(when: CriteriaFixture.test("fields.budget", .gte, .bare("10k")), owner: "mid"),
            .init(when: CriteriaFixture.test("source", .equals, .bare("website")), owner: "web"),
        ], unavailable: ["enterprise"], fallback: "desk")
        let cases: [(String, (inout CriteriaInput) -> Void, String)] = [
            ("abroad, big budget: the first rule wins", { $0.contact.country = "US"; $0.fields["budget"] = "1M" }, "intl"),
            ("big budget: enterprise is away, so the next rule", { $0.fields["budget"] = "250,000" }, "mid"),
            ("mid budget", { _ in }, "mid"),
            ("small budget from the website", { $0.fields["budget"] = "500" }, "web"),
            ("small budget from elsewhere", { $0.fields["budget"] = "500"; $0.attribution.source = "google-ads" }, "desk"),
        ]
        for (name, change, expected) in cases {
            // The counter does not matter to rules.
            #expect(policy.owner(for: CriteriaFixture.input(change), counter: 0) == expected, "\(name)")
            #expect(policy.owner(for: CriteriaFixture.input(change), counter: 7) == expected, "\(name)")
        }
        let noFallback = try AssignmentPolicy.rules([
            .init(when: CriteriaFixture.test("source", .equals, .bare("nowhere")), owner: "x"),
        ])
        #expect(noFallback.owner(for: CriteriaFixture.input(), counter: 0) == nil)
        #expect(noFallback.strategy == .rules)
    }

    @Test("the qualify stage leaves a turn to the writer and chooses the owner by rules itself")
    func assignmentBeforeTheCommit() throws {
        let turns = try AssignmentPolicy.weighted([.init("a", weight: 3), .init("b")], unavailable: [], fallback: nil)
        let assignment = turns.assignment(for: CriteriaFixture.input())
        #expect(assignment == .turns(["a", "a", "b", "a"]))
        #expect(assignment.byTurns)
        #expect((0..<8).map { assignment.owner(counter: $0) } == ["a", "a", "b", "a", "a", "a", "b", "a"])

        let rules = try AssignmentPolicy.rules([
            .init(when: CriteriaFixture.test("source", .equals, .bare("website")), owner: "web"),
        ], fallback: "desk")
        #expect(rules.assignment(for: CriteriaFixture.input()) == .owner("web"))
        #expect(rules.assignment(for: CriteriaFixture.input { $0.attribution.source = "google-ads" }) == .owner("desk"))
        #expect(!rules.assignment(for: CriteriaFixture.input()).byTurns)
        #expect(rules.assignment(for: CriteriaFixture.input()).owner(counter: 5) == "web")
    }

    @Test("assignment problems name their key and index")
    func problems() throws {
        #expect(throws: CriteriaError("round_robin needs at least one owner", key: "owners")) {
            try AssignmentPolicy.roundRobin([])
        }
        #expect(throws: CriteriaError("owner names must be unique and not empty", key: "owners", index: 2)) {
            try AssignmentPolicy.roundRobin(["a", "b", "a"])
        }
        #expect(throws: CriteriaError([
            CriteriaProblem("a weight is a whole number from 1 to 1000, found 0", key: "owners", index: 0),
            CriteriaProblem("a weight is a whole number from 1 to 1000, found 1001", key: "owners", index: 1),
        ])) {
            try AssignmentPolicy.weighted([.init("a", weight: 0), .init("b", weight: 1001)])
        }
        #expect(throws: CriteriaError("unavailable names 'zoe', who is not an owner here", key: "unavailable", index: 1)) {
            try AssignmentPolicy.roundRobin(["a", "b"], unavailable: ["a", "zoe"])
        }
        #expect(throws: CriteriaError("the rules strategy needs at least one rule", key: "rules")) {
            try AssignmentPolicy.rules([], fallback: "a")
        }
        let holds = try CriteriaFixture.test("email", .present, .bare("true"))
        #expect(throws: CriteriaError("a rule needs an owner", key: "rules", index: 0)) {
            try AssignmentPolicy.rules([.init(when: holds, owner: "")])
        }
        // The fallback counts as an owner that may be marked away.
        #expect(try AssignmentPolicy.rules([.init(when: holds, owner: "a")], unavailable: ["b"], fallback: "b").unavailable == ["b"])
    }
}
