using System.Reflection;

namespace ImagingCds.Tests.Support;

/// <summary>Files of this repository; the root is fixed at build time, so it holds wherever the build output lives.</summary>
internal static class Repo
{
    /// <summary>The repository root (the directory holding <c>ImagingCds.sln</c>).</summary>
    public static string Root { get; } = typeof(Repo).Assembly.GetCustomAttributes<AssemblyMetadataAttribute>()
        .First(a => a.Key == "RepositoryRoot").Value!;

    public static string File(string relative) => Path.Combine(Root, relative);
}
