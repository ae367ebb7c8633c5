using System.Reflection;

namespace ImagingCds.Tests.Fixtures;

/// <summary>Paths in the repository, fixed at build time (the build output may live elsewhere).</summary>
public static class Repository
{
    public static string Root { get; } = typeof(Repository).Assembly.GetCustomAttributes<AssemblyMetadataAttribute>()
        .First(a => a.Key == "RepositoryRoot").Value!;

    public static string Path(params string[] parts) => System.IO.Path.Combine([Root, .. parts]);
}
