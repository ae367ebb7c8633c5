using ImagingCds.Scenarios;

namespace ImagingCds.Replay;

/// <summary>How one scenario fared.</summary>
/// <param name="Results">One per expectation (empty when the call itself failed).</param>
/// <param name="Elapsed">The hook call's round trip.</param>
/// <param name="Error">Why the call gave no usable answer (HTTP status and body, or the transport error); null when it did.</param>
public sealed record ScenarioResult(ReplayCase Case, IReadOnlyList<ExpectationResult> Results, TimeSpan Elapsed, string? Error)
{
    public bool Passed => Error is null && Results.All(r => r.Passed);
}

/// <summary>A whole replay: every scenario's result, in the order replayed.</summary>
public sealed record ReplayResult(IReadOnlyList<ScenarioResult> Scenarios, TimeSpan Elapsed)
{
    public int Failed => Scenarios.Count(s => !s.Passed);

    public int Passed => Scenarios.Count - Failed;
}
