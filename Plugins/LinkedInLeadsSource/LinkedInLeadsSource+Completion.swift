import Foundation
import LeadGateCore
import LeadGateSourceKit

/// Why a lead could not be read from LinkedIn's REST API, and what to do about it.
public struct LinkedInAPIError: FetchError, Sendable, Hashable {
    /// The HTTP status of the answer; 0 when there was no request.
    public var status: Int
    /// LinkedIn's `serviceErrorCode` and `code` (e.g. `REVOKED_ACCESS_TOKEN`), when the answer had them.
    public var serviceErrorCode: Int?
    public var code: String?
    public var message: String
    public var recovery: FetchRecovery

    /// An error from its parts (the adapter's own, or a test's).
    public init(status: Int, serviceErrorCode: Int? = nil, code: String? = nil, message: String, recovery: FetchRecovery) {
        self.status = status
        self.serviceErrorCode = serviceErrorCode
        self.code = code
        self.message = message
        self.recovery = recovery
    }

    /// The error a non-200 answer describes: `{"status", "serviceErrorCode", "code", "message"}`.
    public init(status: Int, body: [UInt8]) {
        let detail = try? LeadJSON.decoder().decode(LinkedInErrorBody.self, from: Data(body))
        let recovery: FetchRecovery =
            if status == 429 || status >= 500 { .retryLater } else if status == 401 || status == 403 { .fixConfiguration } else { .giveUp }
        self.init(
            status: status, serviceErrorCode: detail?.serviceErrorCode.flatMap { Int($0.text) }, code: detail?.code?.text,
            message: detail?.message?.text ?? "HTTP \(status) without a LinkedIn error body", recovery: recovery)
    }

    /// Whether trying again later may succeed without anyone changing anything.
    public var isRetryable: Bool { recovery == .retryLater }

    public var description: String {
        "LinkedIn API \(status)\(code.map { " \($0)" } ?? ""): \(message)"
    }
}

extension LinkedInLeadsSource {
    /// The projection of `leadFormResponses` that brings the form (questions, options, consents) with the answers,
    /// so one request names every answer.
    public static let responseFields =
        "ownerInfo,associatedEntityInfo,leadMetadataInfo,owner,leadType,versionedLeadGenFormUrn,id,submittedAt,testLead,formResponse,"
        + "form:(hiddenFields,creationLocale,name,id,content)"

    /// Reads a pending draft's answers from `GET {api_url}/leadFormResponses/{id}` and returns the draft with them,
    /// its ids kept and `_pending_fetch` gone. A draft that is not pending comes back as it is.
    ///
    /// Predefined questions become the fields the field map knows (`first_name`, `email`, `company`, ...); custom
    /// questions are named by their text in the form's language; multiple-choice answers by their option texts;
    /// consents as `consent_<id>` = `true`/`false`; hidden fields by their names; plus `form_name`, `campaign`,
    /// the associated creative, and `testLead` as `isTest`. Throws `LinkedInAPIError`.
    public func complete(_ pending: LeadDraft) async throws -> LeadDraft {
        guard pending.fields.contains(RawField(Self.pendingFetchField, "linkedin")) else { return pending }
        guard let urn = pending.externalID, !urn.isEmpty else {
            throw LinkedInAPIError(status: 0, message: "the pending lead has no leadGenFormResponse to read", recovery: .giveUp)
        }
        guard let fetcher else {
            throw LinkedInAPIError(
                status: 0, message: "source '\(name)' has no HTTP client to read leads from LinkedIn with", recovery: .fixConfiguration)
        }
        let headers = [
            (name: "Authorization", value: "Bearer \(accessToken)"), (name: "LinkedIn-Version", value: apiVersion),
            (name: "X-Restli-Protocol-Version", value: "2.0.0"), (name: "Accept", value: "application/json"),
        ]
        let (status, body) = try await fetcher.get(url: responseURL(urn), headers: headers)
        guard status == 200 else { throw LinkedInAPIError(status: status, body: body) }
        let record: FormResponseRecord
        do {
            record = try VendorJSON.decode(FormResponseRecord.self, from: body, what: "the leadFormResponses answer", authenticated: true)
        } catch {
            throw LinkedInAPIError(status: status, message: error.message, recovery: .retryLater)
        }
        var completed = pending
        completed.fields = Self.answers(of: record) + pending.fields.filter { $0.key != Self.pendingFetchField }
        completed.receivedAt = record.submittedAt?.date ?? pending.receivedAt
        completed.isTest = record.testLead?.isTrue ?? pending.isTest
        return completed
    }

    /// The response's URL: the id is the URN's last part; Rest.li wants the projection's `:(,)` unescaped.
    func responseURL(_ urn: String) -> String {
        let prefix = "urn:li:leadGenFormResponse:"
        let id = urn.hasPrefix(prefix) ? String(urn.dropFirst(prefix.count)) : urn
        let unreserved = CharacterSet(charactersIn: "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-._~")
        return "\(apiURL)/leadFormResponses/\(id.addingPercentEncoding(withAllowedCharacters: unreserved) ?? id)?fields=\(Self.responseFields)"
    }

    static func answers(of record: FormResponseRecord) -> [RawField] {
        let form = record.form
        let locale = form?.creationLocale.map { "\($0.language?.text ?? "")_\($0.country?.text ?? "")" }
        var questions: [String: FormQuestion] = [:]
        for question in form?.content?.questions ?? [] {
            if let id = question.questionId?.text { questions[id] = question }
        }
        var fields: [RawField] = []
        for answer in record.formResponse?.answers ?? [] {
            let id = answer.questionId?.text ?? ""
            let question = questions[id]
            guard let value = answerText(answer, question: question, locale: locale), !value.isEmpty else { continue }
            fields.append(RawField(fieldName(question, id: id, locale: locale), value))
        }
        for consent in record.formResponse?.consentResponses ?? [] {
            guard let id = consent.consentId?.text else { continue }
            fields.append(RawField("consent_\(id)", consent.accepted?.isTrue == true ? "true" : "false"))
        }
        for hidden in form?.hiddenFields ?? [] {
            if let name = hidden.name?.text, let value = hidden.value?.text { fields.append(RawField(name, value)) }
        }
        let context: [(String, JSONText?)] = [
            ("form_name", form?.name), ("campaign", record.leadMetadata?.sponsoredLeadMetadata?.campaign),
            ("creative", record.associatedEntity?.values["associatedCreative"]),
        ]
        for (key, value) in context {
            if let value { fields.append(RawField(key, value.text)) }
        }
        return fields
    }

    /// Predefined questions by the names the field map knows, others by their text, then their name, then their id.
    static func fieldName(_ question: FormQuestion?, id: String, locale: String?) -> String {
        if let predefined = question?.predefinedField?.text, !predefined.isEmpty {
            return predefinedFields[predefined] ?? predefined.lowercased()
        }
        if let text = question?.question?.text(in: locale), !UnicodeText.isBlank(text) { return text }
        if let name = question?.name?.text, !UnicodeText.isBlank(name) { return name }
        return "question_\(id)"
    }

    static func answerText(_ answer: FormAnswer, question: FormQuestion?, locale: String?) -> String? {
        if let text = answer.answerDetails?.textQuestionAnswer?.answer?.text { return text }
        guard let chosen = answer.answerDetails?.multipleChoiceAnswer?.options else { return nil }
        let options = question?.questionDetails?.multipleChoiceQuestionDetails?.options ?? []
        return chosen.map { choice in
            options.first { $0.id?.text == choice.text }?.text?.text(in: locale) ?? choice.text
        }.joined(separator: ", ")
    }

    /// https://learn.microsoft.com/en-us/linkedin/marketing/lead-sync/lead-sync-schema (predefinedField)
    static let predefinedFields: [String: String] = [
        "FIRST_NAME": "first_name", "LAST_NAME": "last_name", "EMAIL": "email", "WORK_EMAIL": "work_email",
        "PHONE_NUMBER": "phone", "WORK_PHONE_NUMBER": "work_phone", "COMPANY_NAME": "company", "JOB_TITLE": "job_title",
        "CITY": "city", "COUNTRY": "country", "STATE": "state", "ZIP_CODE": "postal_code", "POSTAL_CODE": "postal_code",
        "LINKEDIN_PROFILE_LINK": "linkedin_profile",
    ]
}

// Property names are LinkedIn's JSON keys, so no coding keys are needed; unknown keys are ignored.

/// A lead as `GET /leadFormResponses/{id}` returns it with `LinkedInLeadsSource.responseFields`.
struct FormResponseRecord: Decodable {
    struct Metadata: Decodable {
        struct Sponsored: Decodable {
            var campaign: JSONText?
        }

        var sponsoredLeadMetadata: Sponsored?
    }

    struct Response: Decodable {
        var answers: [FormAnswer]?
        var consentResponses: [FormConsent]?
    }

    var submittedAt: JSONText?
    var testLead: JSONText?
    var leadMetadata: Metadata?
    var associatedEntity: ScalarMap?
    var formResponse: Response?
    var form: LeadForm?
}

struct FormAnswer: Decodable {
    struct Details: Decodable {
        struct Text: Decodable {
            var answer: JSONText?
        }

        struct Choice: Decodable {
            var options: [JSONText]?
        }

        var textQuestionAnswer: Text?
        var multipleChoiceAnswer: Choice?
    }

    var questionId: JSONText?
    var answerDetails: Details?
}

struct FormConsent: Decodable {
    var consentId: JSONText?
    var accepted: JSONText?
}

struct LeadForm: Decodable {
    struct Locale: Decodable {
        var country: JSONText?
        var language: JSONText?
    }

    struct Content: Decodable {
        var questions: [FormQuestion]?
    }

    struct HiddenField: Decodable {
        var name: JSONText?
        var value: JSONText?
    }

    var name: JSONText?
    var creationLocale: Locale?
    var content: Content?
    var hiddenFields: [HiddenField]?
}

struct FormQuestion: Decodable {
    struct Details: Decodable {
        struct Choices: Decodable {
            struct Option: Decodable {
                var id: JSONText?
                var text: LocalizedText?
            }

            var options: [Option]?
        }

        var multipleChoiceQuestionDetails: Choices?
    }

    var questionId: JSONText?
    var name: JSONText?
    var predefinedField: JSONText?
    var question: LocalizedText?
    var questionDetails: Details?
}

/// `{"localized": {"he_IL": "..."}}`: the text in the form's own locale, else in the first locale by name.
struct LocalizedText: Decodable {
    var localized: [String: String]?

    func text(in locale: String?) -> String? {
        guard let localized else { return nil }
        if let locale, let text = localized[locale] { return text }
        return localized.keys.sorted().first.flatMap { localized[$0] }
    }
}

struct LinkedInErrorBody: Decodable {
    var serviceErrorCode: JSONText?
    var code: JSONText?
    var message: JSONText?
}
