import Foundation
import LeadGateCore
import LeadGateSourceKit
import Testing

@testable import LinkedInLeadsSource

/// LinkedIn's "fetch full lead data" example (Lead Sync Postman collection, as published in the
/// api-evangelist/linkedin OpenAPI capture) with its form 7234246 inlined the way `form:(...)` projects it.
let spanishLead = """
    {"owner":{"sponsoredAccount":"urn:li:sponsoredAccount:1234567"},"submitter":"urn:li:person:BcLKblgopR","leadType":"SPONSORED",
     "leadMetadata":{"sponsoredLeadMetadata":{"campaign":"urn:li:sponsoredCampaign:198356826"}},
     "versionedLeadGenFormUrn":"urn:li:versionedLeadGenForm:(urn:li:leadGenForm:7234246,1)",
     "id":"249592fc-d272-44ba-a7db-c2bdce579507-6","submittedAt":1689894599288,"testLead":true,
     "associatedEntity":{"associatedCreative":"urn:li:sponsoredCreative:241257736"},
     "formResponse":{"consentResponses":[{"accepted":true,"consentId":0}],"answers":[
       {"answerDetails":{"textQuestionAnswer":{"answer":"kevjohonson@email.com"}},"questionId":307234246},
       {"answerDetails":{"textQuestionAnswer":{"answer":"kjohonson@email.com"}},"questionId":607234246},
       {"answerDetails":{"multipleChoiceAnswer":{"options":[0]}},"questionId":707234246},
       {"answerDetails":{"textQuestionAnswer":{"answer":"Mexico"}},"questionId":807234246},
       {"answerDetails":{"textQuestionAnswer":{"answer":"Kevin"}},"questionId":107234246},
       {"answerDetails":{"textQuestionAnswer":{"answer":"Johonson"}},"questionId":207234246},
       {"answerDetails":{"textQuestionAnswer":{"answer":"Senior Engineer"}},"questionId":407234246},
       {"answerDetails":{"textQuestionAnswer":{"answer":"Ingeniería"}},"questionId":507234246}]},
     "form":{"id":7234246,"name":"Form with written spanish","creationLocale":{"country":"ES","language":"es"},
       "hiddenFields":[{"name":"hidden_field","value":"abc678"},{"name":"campo_escondido","value":"def789"}],
       "content":{"questions":[
         {"questionId":107234246,"question":{"localized":{"es_ES":"Nombre"}},"name":"First name","predefinedField":"FIRST_NAME"},
         {"questionId":207234246,"question":{"localized":{"es_ES":"Apellidos"}},"name":"Last name","predefinedField":"LAST_NAME"},
         {"questionId":307234246,"question":{"localized":{"es_ES":"Correo electrónico"}},"name":"Email address","predefinedField":"EMAIL"},
         {"questionId":407234246,"question":{"localized":{"es_ES":"Cargo"}},"name":"Job title","predefinedField":"JOB_TITLE"},
         {"questionId":507234246,"question":{"localized":{"es_ES":"Función"}},"name":"Function","predefinedField":"JOB_FUNCTION"},
         {"questionId":607234246,"question":{"localized":{"es_ES":"Correo electrónico del trabajo"}},"name":"Work email","predefinedField":"WORK_EMAIL"},
         {"name":"Custom question 0","questionDetails":{"multipleChoiceQuestionDetails":{"options":[
            {"text":{"localized":{"es_ES":"Rojo"}},"id":0},{"text":{"localized":{"es_ES":"Azul"}},"id":1}]}},
          "questionId":707234246,"question":{"localized":{"es_ES":"Cuál es tu color favorito"}}},
         {"name":"Custom question 1","questionDetails":{"textQuestionDetails":{"maxResponseLength":300}},"questionId":807234246,
          "question":{"localized":{"es_ES":"¿Dónde creciste?"}}}],
         "legalInfo":{"consents":[{"consent":{"localized":{"es_ES":"marque mi casilla"}},"checkRequired":true,"id":0}]}}}}
    """

func pendingDraft() async throws -> LeadDraft {
    try #require(try await validSource().receive(post(notification())).first)
}

@Test func completesAPendingDraftFromTheFormResponse() async throws {
    let api = StubLinkedIn(body: spanishLead)
    let completed = try await validSource(fetcher: api).complete(try await pendingDraft())
    #expect(
        completed.fields == [
            RawField("email", "kevjohonson@email.com"), RawField("work_email", "kjohonson@email.com"),
            RawField("Cuál es tu color favorito", "Rojo"), RawField("¿Dónde creciste?", "Mexico"), RawField("first_name", "Kevin"),
            RawField("last_name", "Johonson"), RawField("job_title", "Senior Engineer"), RawField("job_function", "Ingeniería"),
            RawField("consent_0", "true"), RawField("hidden_field", "abc678"), RawField("campo_escondido", "def789"),
            RawField("form_name", "Form with written spanish"), RawField("campaign", "urn:li:sponsoredCampaign:198356826"),
            RawField("creative", "urn:li:sponsoredCreative:241257736"),
            RawField("form_id", "urn:li:versionedLeadGenForm:(urn:li:leadGenForm:7234246,1)"), RawField("lead_type", "SPONSORED"),
            RawField("sponsored_account", "urn:li:sponsoredAccount:1234567"),
        ])
    #expect(completed.isTest)
    #expect(completed.externalID == "urn:li:leadGenFormResponse:249592fc-d272-44ba-a7db-c2bdce579507-6")
    #expect(completed.receivedAt == Date(timeIntervalSince1970: 1_689_894_599.288))
    let (canonical, _) = LinkedInLeadsSource.defaultFieldMap.resolve(completed.fields)
    #expect(canonical[.email] == "kevjohonson@email.com")
    #expect(canonical[.firstName] == "Kevin")
    #expect(canonical[.jobTitle] == "Senior Engineer")
    #expect(canonical[.form] == "Form with written spanish")
}

@Test func asksForTheResponseWithTheFormInOneRequest() async throws {
    let api = StubLinkedIn(body: "{}")
    _ = try await validSource([entry(6, "api_url", "https://api.example.test/rest/")], fetcher: api).complete(try await pendingDraft())
    let request = try #require(await api.requests.first)
    #expect(
        request.url == "https://api.example.test/rest/leadFormResponses/249592fc-d272-44ba-a7db-c2bdce579507-6?fields="
            + "ownerInfo,associatedEntityInfo,leadMetadataInfo,owner,leadType,versionedLeadGenFormUrn,id,submittedAt,testLead,formResponse,"
            + "form:(hiddenFields,creationLocale,name,id,content)")
    let headers = Dictionary(uniqueKeysWithValues: request.headers.map { ($0.name, $0.value) })
    #expect(headers["Authorization"] == "Bearer AQX-token")
    #expect(headers["LinkedIn-Version"] == "202601")
    #expect(headers["X-Restli-Protocol-Version"] == "2.0.0")
}

@Test func namesHebrewQuestionsInTheFormsOwnLanguage() async throws {
    let body = """
        {"submittedAt":"1764324000000","testLead":false,"formResponse":{"answers":[
          {"questionId":1,"answerDetails":{"textQuestionAnswer":{"answer":"דנה"}}},
          {"questionId":2,"answerDetails":{"textQuestionAnswer":{"answer":"בין 10 ל-20 אלף ₪"}}},
          {"questionId":3,"answerDetails":{"multipleChoiceAnswer":{"options":[1,0]}}},
          {"questionId":4,"answerDetails":{"textQuestionAnswer":{"answer":"Ответ"}}},
          {"questionId":5,"answerDetails":{"textQuestionAnswer":{"answer":""}}},
          {"questionId":6,"answerDetails":{}}]},
         "form":{"name":"טופס חורף","creationLocale":{"country":"IL","language":"he"},"content":{"questions":[
          {"questionId":1,"predefinedField":"FIRST_NAME","question":{"localized":{"he_IL":"שם פרטי"}}},
          {"questionId":2,"question":{"localized":{"en_US":"Budget?","he_IL":"מה התקציב?"}},"name":"Custom question 0"},
          {"questionId":3,"question":{"localized":{"he_IL":"מוצרים"}},"questionDetails":{"multipleChoiceQuestionDetails":{"options":[
            {"id":0,"text":{"localized":{"he_IL":"CRM"}}},{"id":1,"text":{"localized":{"he_IL":"שיווק"}}}]}}},
          {"questionId":4,"name":"Custom question 2"}]}}}
        """
    let completed = try await validSource(fetcher: StubLinkedIn(body: body)).complete(try await pendingDraft())
    #expect(
        Array(completed.fields.prefix(5)) == [
            RawField("first_name", "דנה"), RawField("מה התקציב?", "בין 10 ל-20 אלף ₪"), RawField("מוצרים", "שיווק, CRM"),
            RawField("Custom question 2", "Ответ"), RawField("form_name", "טופס חורף"),
        ])
    #expect(!completed.isTest)
    #expect(completed.receivedAt == Date(timeIntervalSince1970: 1_764_324_000))
}

@Test(arguments: [
    (nil, "question_9"), ("PHONE_NUMBER", "phone"), ("COMPANY_NAME", "company"), ("CITY", "city"), ("COUNTRY", "country"),
    ("ZIP_CODE", "postal_code"), ("SENIORITY", "seniority"), ("COMPANY_SIZE", "company_size"),
] as [(String?, String)])
func namesPredefinedQuestions(predefined: String?, expected: String) {
    let question = FormQuestion(questionId: JSONText("9"), predefinedField: predefined.map(JSONText.init))
    #expect(LinkedInLeadsSource.fieldName(question, id: "9", locale: "en_US") == expected)
}

@Test func anAnswerToAQuestionTheFormDoesNotListIsKeptByItsID() async throws {
    let body = #"{"formResponse":{"answers":[{"questionId":123456789012345678,"answerDetails":{"multipleChoiceAnswer":{"options":[2]}}}]}}"#
    let completed = try await validSource(fetcher: StubLinkedIn(body: body)).complete(try await pendingDraft())
    #expect(completed.fields.first == RawField("question_123456789012345678", "2"))
}

@Test func aDraftThatIsNotPendingComesBackAsItIs() async throws {
    let api = StubLinkedIn(body: "{}")
    let deleted = try #require(try await validSource().receive(post(notification(action: "DELETED"))).first)
    #expect(try await validSource(fetcher: api).complete(deleted) == deleted)
    #expect(await api.requests.isEmpty)
}

@Test(arguments: [
    (401, #"{"status":401,"serviceErrorCode":65601,"code":"REVOKED_ACCESS_TOKEN","message":"The token used in the request has been revoked by the user"}"#, FetchRecovery.fixConfiguration),
    (403, #"{"status":403,"serviceErrorCode":100,"code":"ACCESS_DENIED","message":"Not enough permissions to access: leadFormResponses.GET.20260101"}"#, .fixConfiguration),
    (429, #"{"status":429,"serviceErrorCode":101,"code":"TOO_MANY_REQUESTS","message":"Resource level throttle limit reached"}"#, .retryLater),
    (500, "", .retryLater),
    (503, "<html>", .retryLater),
    (404, #"{"status":404,"code":"NOT_FOUND","message":"Not Found"}"#, .giveUp),
    (400, #"{"status":400,"message":"Invalid projection"}"#, .giveUp),
])
func sortsAPIErrors(status: Int, body: String, recovery: FetchRecovery) async throws {
    let source = try validSource(fetcher: StubLinkedIn(status: status, body: body))
    let error = try await #require(throws: LinkedInAPIError.self) { try await source.complete(try await pendingDraft()) }
    #expect(error.status == status)
    #expect(error.recovery == recovery)
    #expect(error.isRetryable == (recovery == .retryLater))
}

@Test func readsTheDetailsOfAnAPIError() {
    let body = #"{"status":401,"serviceErrorCode":65601,"code":"REVOKED_ACCESS_TOKEN","message":"revoked"}"#
    let error = LinkedInAPIError(status: 401, body: Array(body.utf8))
    #expect(error.serviceErrorCode == 65601)
    #expect(error.description == "LinkedIn API 401 REVOKED_ACCESS_TOKEN: revoked")
}

@Test func withoutAnHTTPClientTheConfigurationMustBeFixed() async throws {
    let error = try await #require(throws: LinkedInAPIError.self) { try await validSource().complete(try await pendingDraft()) }
    #expect(error.recovery == .fixConfiguration)
}

@Test func anAnswerThatIsNotALeadIsRetried() async throws {
    let source = try validSource(fetcher: StubLinkedIn(body: #"{"formResponse":"nope"}"#))
    let error = try await #require(throws: LinkedInAPIError.self) { try await source.complete(try await pendingDraft()) }
    #expect(error.recovery == .retryLater)
    #expect(error.message.contains("formResponse"))
}
