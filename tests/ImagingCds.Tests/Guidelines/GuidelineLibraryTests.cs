using ImagingCds.Facts;
using ImagingCds.Guidelines;
using ImagingCds.Tests.Support;

namespace ImagingCds.Tests.Guidelines;

/// <summary>The shipped guideline data: loads, is complete, and every code in it is well formed.</summary>
public sealed class GuidelineLibraryTests
{
    private static readonly Lazy<GuidelineLibrary> Library = new(() => GuidelineLibrary.Load(Repo.File("guidelines")));

    [Fact]
    public void Load_ShippedData_HasEveryPolicyOfTheDesign()
    {
        var ids = Library.Value.Policies.Select(p => p.Id).Order(StringComparer.Ordinal).ToArray();
        Assert.Equal(GuidelineLibrary.RequiredPolicies.Order(StringComparer.Ordinal), ids);
    }

    [Fact]
    public void Load_ShippedData_GovernsExactlyTheSpineMriCodes() =>
        Assert.Equal(
            ["72141", "72142", "72146", "72147", "72148", "72149", "72156", "72157", "72158"],
            Library.Value.Cpt.Order(StringComparer.Ordinal));

    [Fact]
    public void Load_ShippedData_EveryRuleCitesASection() =>
        Assert.All(Library.Value.Policies.SelectMany(p => p.Rules), r => Assert.False(string.IsNullOrWhiteSpace(r.Section)));

    [Fact]
    public void Load_ShippedData_EveryFactIsAskedAsAQuestion() =>
        Assert.All(Library.Value.Catalog.Facts.Values, f => Assert.Contains("?", f.Question, StringComparison.Ordinal));

    [Fact]
    public void Load_ShippedData_EveryValueSetNamesItsSource() =>
        Assert.All(Library.Value.Catalog.Terminology.ValueSets.Values, v => Assert.False(string.IsNullOrWhiteSpace(v.Source)));

    [Fact]
    public void Load_ShippedData_CptRegionsAndContrastsCoverEveryOrder()
    {
        var sets = Library.Value.Catalog.Terminology.ValueSets;
        foreach (var cpt in Library.Value.Cpt)
        {
            Assert.Single(sets.Values, v => v.Id.StartsWith("order-region-", StringComparison.Ordinal) && v.Contains(CodeSystems.Cpt, cpt));
            Assert.Single(sets.Values, v => v.Id.StartsWith("order-contrast-", StringComparison.Ordinal) && v.Contains(CodeSystems.Cpt, cpt));
        }
    }
}
