import Foundation

extension LeadJSON {
    /// `lead` as JSON, byte for byte what `LeadJSON.encoder().encode(lead)` writes, several times faster: what the
    /// outbox sends as a webhook body and the API answers with.
    /// Throws where the encoder throws: an opportunity's amount or probability that is NaN or infinite.
    public static func bytes(_ lead: Lead) throws -> [UInt8] {
        var writer = JSONWriter(capacity: 2048)
        try writer.lead(lead)
        return writer.bytes
    }
}

extension JSONWriter {
    /// Writes `lead` as `LeadJSON.encoder()` encodes it: keys sorted by their UTF-8 bytes, nil values left out,
    /// whole-second ISO 8601 dates.
    /// Throws `EncodingError.invalidValue`, having written nothing, for a NaN or infinite opportunity amount or probability.
    public mutating func lead(_ lead: Lead) throws {
        if let opportunity = lead.opportunity {
            try Self.requireFinite(opportunity.amount, at: [Lead.CodingKeys.opportunity, Opportunity.CodingKeys.amount])
            try Self.requireFinite(opportunity.probability, at: [Lead.CodingKeys.opportunity, Opportunity.CodingKeys.probability])
        }
        // Every object below lists its keys in sorted (UTF-8) order by hand; the tests compare with JSONEncoder.
        beginObject()
        key("attribution")
        attribution(lead.attribution)
        key("consent")
        beginObject()
        field("at", lead.consent.at)
        field("marketing", lead.consent.marketing)
        endObject()
        key("contact")
        contact(lead.contact)
        field("created_at", lead.createdAt)
        field("deleted_at_source", lead.deletedAtSource)
        if let fetch = lead.fetch {
            key("fetch")
            fetchStatus(fetch)
        }
        field("fields", lead.fields)
        field("id", lead.id)
        field("is_test", lead.isTest)
        if let opportunity = lead.opportunity {
            key("opportunity")
            self.opportunity(opportunity)
        }
        field("owner", lead.owner)
        key("problems")
        beginArray()
        for problem in lead.problems {
            beginObject()
            field("field", problem.field)
            field("reason", problem.reason)
            endObject()
        }
        endArray()
        field("product", lead.product)
        if let qualification = lead.qualification {
            key("qualification")
            self.qualification(qualification)
        }
        field("reject_reason", lead.rejectReason)
        field("status", lead.status.rawValue)
        key("touches")
        beginArray()
        for touch in lead.touches {
            beginObject()
            field("external_id", touch.externalID)
            field("id", touch.id)
            field("received_at", touch.receivedAt)
            field("source", touch.source)
            endObject()
        }
        endArray()
        field("updated_at", lead.updatedAt)
        endObject()
    }

    private mutating func attribution(_ attribution: Attribution) {
        beginObject()
        field("campaign", attribution.campaign)
        field("click_ids", attribution.clickIDs)
        field("fbclid", attribution.fbclid)
        field("form", attribution.form)
        field("gclid", attribution.gclid)
        field("landing_url", attribution.landingURL)
        field("referrer", attribution.referrer)
        field("source", attribution.source)
        field("source_type", attribution.sourceType)
        field("utm_campaign", attribution.utmCampaign)
        field("utm_content", attribution.utmContent)
        field("utm_medium", attribution.utmMedium)
        field("utm_source", attribution.utmSource)
        field("utm_term", attribution.utmTerm)
        endObject()
    }

    private mutating func contact(_ contact: Contact) {
        beginObject()
        field("city", contact.city)
        field("company", contact.company)
        field("country", contact.country)
        field("email", contact.email)
        field("first_name", contact.firstName)
        field("full_name", contact.fullName)
        field("job_title", contact.jobTitle)
        field("last_name", contact.lastName)
        field("phone", contact.phone)
        field("phone_extension", contact.phoneExtension)
        endObject()
    }

    private mutating func fetchStatus(_ fetch: FetchStatus) {
        beginObject()
        field("attempts", fetch.attempts)
        field("last_error", fetch.lastError)
        field("last_status", fetch.lastStatus)
        field("next_attempt_at", fetch.nextAttemptAt)
        field("state", fetch.state.rawValue)
        endObject()
    }

    private mutating func opportunity(_ opportunity: Opportunity) {
        beginObject()
        field("amount", opportunity.amount)
        field("closed_at", opportunity.closedAt)
        field("currency", opportunity.currency)
        field("expected_close", opportunity.expectedClose)
        field("manual", opportunity.manual)
        field("probability", opportunity.probability)
        field("stage", opportunity.stage)
        endObject()
    }

    private mutating func qualification(_ qualification: Qualification) {
        beginObject()
        field("criteria", qualification.criteria)
        field("decision", qualification.decision.rawValue)
        key("reasons")
        beginArray()
        for reason in qualification.reasons {
            beginObject()
            field("note", reason.note)
            field("passed", reason.passed)
            field("points", reason.points)
            field("rule", reason.rule)
            field("value", reason.value)
            endObject()
        }
        endArray()
        field("rejected_by", qualification.rejectedBy)
        field("score", qualification.score)
        endObject()
    }

    private static func requireFinite(_ value: Double?, at path: [any CodingKey]) throws {
        guard let value, !value.isFinite else { return }
        throw EncodingError.invalidValue(value, EncodingError.Context(codingPath: path, debugDescription: "Unable to encode Double.\(value) directly in JSON."))
    }
}
