import EmailSource
import GoogleAdsSource
import LeadGateSourceKit
import LinkedInLeadsSource
import MetaLeadAdsSource
import TikTokLeadsSource
import WebFormSource

/// The one place that lists the adapters: adding a source type is one line here.
enum AdapterRegistry {
    static let pushSources: [any PushSource.Type] = [
        WebFormSource.self,
        EmailSource.self,
        GoogleAdsSource.self,
        MetaLeadAdsSource.self,
        LinkedInLeadsSource.self,
        TikTokLeadsSource.self,
    ]

    static func pushSource(type: String) -> (any PushSource.Type)? {
        pushSources.first { $0.type == type }
    }

    static var typeNames: [String] { pushSources.map { $0.type } }
}
