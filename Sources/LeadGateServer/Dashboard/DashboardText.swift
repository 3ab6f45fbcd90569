/// Every fixed string of the dashboard in one language. A struct rather than a dictionary so that a
/// language missing a string does not compile.
struct DashboardText: Sendable {
    var pageTitle: String
    var updated: String
    var timesIn: String

    var funnel: String
    var funnelEmpty: String
    var leads: String
    var opportunities: String
    var won: String
    var ratioNote: String
    var conversion: String

    var forecast: String
    var forecastEmpty: String
    var period: String
    var weighted: String
    var commit: String
    var bestCase: String

    var reps: String
    var repsEmpty: String
    var rep: String
    var unassigned: String
    var openOpportunities: String
    var weightedPipeline: String
    var winRate: String

    var recent: String
    var recentEmpty: String
    var created: String
    var lead: String
    var product: String
    var owner: String
    var score: String
    var criteria: String
    var reasons: String
    var passed: String
    var notPassed: String

    var deliveries: String
    var deliveriesEmpty: String
    var channel: String
    var delivered: String
    var failed: String
    var pending: String
    var status: String
    var active: String
    var disabled: String
    var pausedUntil: String

    var sources: String
    var sourcesEmpty: String
    var source: String
    var type: String
    var leadsLast24Hours: String
    var quarantined: String
    var lastLead: String
    var fetchPending: String
    var polling: String
    var lastPoll: String
    var pollFailing: String
    var healthy: String

    static func of(_ language: DashboardLanguage) -> DashboardText {
        switch language {
        case .english: english
        case .hebrew: hebrew
        }
    }

    static let english = DashboardText(
        pageTitle: "Sales dashboard", updated: "Updated", timesIn: "times in",
        funnel: "Funnel", funnelEmpty: "No leads yet.", leads: "Leads", opportunities: "Opportunities", won: "Won",
        ratioNote: "Percentages: conversion from the previous stage.", conversion: "conversion",
        forecast: "Revenue forecast", forecastEmpty: "No opportunities in the forecast yet.", period: "Period",
        weighted: "Weighted", commit: "Commit", bestCase: "Best case",
        reps: "Sales reps", repsEmpty: "No opportunities assigned yet.", rep: "Rep", unassigned: "Unassigned",
        openOpportunities: "Open opportunities", weightedPipeline: "Weighted pipeline", winRate: "Win rate",
        recent: "Recent opportunities", recentEmpty: "No opportunities yet.", created: "Created", lead: "Lead",
        product: "Product", owner: "Owner", score: "Score", criteria: "Criteria",
        reasons: "Why", passed: "passed", notPassed: "did not pass",
        deliveries: "Delivery health", deliveriesEmpty: "No notification channels configured.", channel: "Channel",
        delivered: "Delivered", failed: "Failed", pending: "Pending", status: "Status", active: "Active",
        disabled: "Disabled", pausedUntil: "Paused until",
        sources: "Source health", sourcesEmpty: "No sources configured.", source: "Source", type: "Type",
        leadsLast24Hours: "Leads (24\u{00A0}h)", quarantined: "Quarantined", lastLead: "Last lead",
        fetchPending: "Awaiting fetch", polling: "Polling", lastPoll: "last poll", pollFailing: "Failing",
        healthy: "OK"
    )

    static let hebrew = DashboardText(
        pageTitle: "לוח בקרת מכירות", updated: "עודכן", timesIn: "השעות לפי",
        funnel: "משפך מכירות", funnelEmpty: "עדיין אין לידים.", leads: "לידים", opportunities: "הזדמנויות",
        won: "נסגרו בהצלחה", ratioNote: "האחוזים: שיעור ההמרה מהשלב הקודם.", conversion: "שיעור המרה",
        forecast: "תחזית הכנסות", forecastEmpty: "עדיין אין הזדמנויות בתחזית.", period: "תקופה",
        weighted: "משוקלל", commit: "התחייבות", bestCase: "תרחיש אופטימי",
        reps: "אנשי מכירות", repsEmpty: "עדיין לא שויכו הזדמנויות.", rep: "איש מכירות", unassigned: "לא משויך",
        openOpportunities: "הזדמנויות פתוחות", weightedPipeline: "צנרת משוקללת", winRate: "שיעור הצלחה",
        recent: "הזדמנויות אחרונות", recentEmpty: "עדיין אין הזדמנויות.", created: "נוצר", lead: "ליד",
        product: "מוצר", owner: "אחראי", score: "ניקוד", criteria: "קריטריונים",
        reasons: "נימוקים", passed: "התקיים", notPassed: "לא התקיים",
        deliveries: "מצב המסירות", deliveriesEmpty: "לא הוגדרו ערוצי התראה.", channel: "ערוץ",
        delivered: "נמסרו", failed: "נכשלו", pending: "ממתינות", status: "מצב", active: "פעיל",
        disabled: "מושבת", pausedUntil: "מושהה עד",
        sources: "מצב המקורות", sourcesEmpty: "לא הוגדרו מקורות.", source: "מקור", type: "סוג",
        leadsLast24Hours: "לידים (24\u{00A0}שעות)", quarantined: "בהסגר", lastLead: "ליד אחרון",
        fetchPending: "ממתינים לשליפה", polling: "משיכה", lastPoll: "משיכה אחרונה", pollFailing: "נכשלת",
        healthy: "תקין"
    )
}
