using System.Text;

namespace ImagingCds.Tests.Support;

/// <summary>A file in a fresh temporary directory, removed on dispose.</summary>
internal sealed class TempFile : IDisposable
{
    private readonly string _directory;

    private TempFile(string directory, string path)
    {
        _directory = directory;
        Path = path;
    }

    public string Path { get; }

    public static TempFile With(string name, string content)
    {
        var directory = System.IO.Path.Combine(System.IO.Path.GetTempPath(), "imagingcds-tests-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(directory);
        var path = System.IO.Path.Combine(directory, name);
        File.WriteAllText(path, content, new UTF8Encoding(encoderShouldEmitUTF8Identifier: false));
        return new TempFile(directory, path);
    }

    public void Dispose() => Directory.Delete(_directory, recursive: true);
}
