namespace ImagingCds.Tests.Support;

/// <summary>Files of this repository, found from the test binaries upward.</summary>
internal static class Repo
{
    /// <summary>The repository root: the directory holding <c>ImagingCds.sln</c>.</summary>
    public static string Root { get; } = FindRoot();

    public static string File(string relative) => Path.Combine(Root, relative);

    private static string FindRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (System.IO.File.Exists(Path.Combine(dir.FullName, "ImagingCds.sln")))
            {
                return dir.FullName;
            }
        }

        throw new InvalidOperationException($"no ImagingCds.sln above {AppContext.BaseDirectory}");
    }
}
