using ImagingCds.Facts;

namespace ImagingCds.Guidelines;

/// <summary>The fact catalog, terminology and every policy, loaded and validated once at start-up.</summary>
public sealed class GuidelineLibrary(FactCatalog catalog, IReadOnlyList<Policy> policies)
{
    /// <summary>The policy ids DESIGN.md fixes; a library without all of them does not start.</summary>
    public static readonly IReadOnlyList<string> RequiredPolicies =
        ["cohere-spine-mri", "evicore-cigna-spine", "nia-lumbar-mri", "nia-cervical-mri", "wps-spine-mri"];

    public FactCatalog Catalog { get; } = catalog;

    public IReadOnlyList<Policy> Policies { get; } = policies;

    /// <summary>Every CPT code some policy governs: the orders in scope.</summary>
    public IReadOnlySet<string> Cpt { get; } = policies.SelectMany(p => p.Cpt).ToHashSet(StringComparer.Ordinal);

    /// <summary>Loads <c>terminology/*.yaml</c>, <c>facts/*.yaml</c> and <c>policies/*.yaml</c> from the folder.</summary>
    /// <exception cref="DataFileException">A file is invalid; the message names file, line and item.</exception>
    public static GuidelineLibrary Load(string folder, IReadOnlyList<string>? requiredPolicies = null)
    {
        var terminology = Terminology.Load(Path.Combine(folder, "terminology"));
        var catalog = FactCatalog.Load(Path.Combine(folder, "facts"), terminology);
        var policies = new List<Policy>();
        foreach (var path in Directory.EnumerateFiles(Path.Combine(folder, "policies"), "*.yaml").Order(StringComparer.Ordinal))
        {
            var policy = PolicyLoader.Load(path, catalog);
            if (policies.Any(p => p.Id == policy.Id))
            {
                throw new DataFileException(path, 1, policy.Id, "another policy file has the same id");
            }

            policies.Add(policy);
        }

        foreach (var id in (requiredPolicies ?? RequiredPolicies).Where(id => policies.All(p => p.Id != id)))
        {
            throw new DataFileException(Path.Combine(folder, "policies"), 0, id, "required policy is missing");
        }

        return new GuidelineLibrary(catalog, policies);
    }
}
