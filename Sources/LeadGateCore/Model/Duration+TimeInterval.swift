import Foundation

extension Duration {
    /// The duration in seconds, as Foundation's dates count them (configured windows and delays meet `Date` arithmetic).
    public var timeInterval: TimeInterval {
        Double(components.seconds) + Double(components.attoseconds) / 1e18
    }
}
