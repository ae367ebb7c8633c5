namespace ImagingCds.Tests.Support;

/// <summary>
/// Tests that measure time against a loopback server. They run alone, after the parallel tests, so a
/// busy 2-core CI machine running other test classes does not eat into the budgets they measure.
/// </summary>
[CollectionDefinition(nameof(TimingSensitive), DisableParallelization = true)]
public sealed class TimingSensitive;
