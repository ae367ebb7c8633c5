using ImagingCds.Facts;
using ImagingCds.Tests.Support;

namespace ImagingCds.Tests.Facts;

/// <summary>docs/fact-catalog.md is generated from the catalog; this keeps it current (UPDATE_DOCS=1 rewrites it).</summary>
public sealed class FactCatalogPageTests
{
    [Fact]
    public void Render_ShippedCatalog_MatchesTheCommittedPage()
    {
        var terminology = Terminology.Load(Repo.File("guidelines/terminology"));
        var page = FactCatalogPage.Render(FactCatalog.Load(Repo.File("guidelines/facts"), terminology));
        var path = Repo.File("docs/fact-catalog.md");
        if (Environment.GetEnvironmentVariable("UPDATE_DOCS") == "1")
        {
            File.WriteAllText(path, page);
        }

        Assert.True(File.Exists(path) && File.ReadAllText(path) == page, "docs/fact-catalog.md is stale: run UPDATE_DOCS=1 dotnet test --filter FactCatalogPageTests");
    }

    [Fact]
    public void Render_ListsEveryFactWithItsQuestion()
    {
        var terminology = Terminology.Load(Repo.File("guidelines/terminology"));
        var catalog = FactCatalog.Load(Repo.File("guidelines/facts"), terminology);
        var page = FactCatalogPage.Render(catalog);
        Assert.All(catalog.Facts.Values, f => Assert.Contains($"| `{f.Id}` |", page, StringComparison.Ordinal));
        Assert.Contains("asked (documentation prompt)", page, StringComparison.Ordinal);
    }
}
