using System.Diagnostics;
using System.Globalization;

namespace ImagingCds.LoadTest;

/// <summary>The service process's working set now and at its peak (Linux: VmRSS and VmHWM), when its pid is known.</summary>
public sealed record ServiceMemory(long WorkingSetBytes, long PeakWorkingSetBytes)
{
    public static ServiceMemory? Read(int? pid)
    {
        if (pid is not int id)
        {
            return null;
        }

        using var process = Process.GetProcessById(id);
        process.Refresh();
        return new ServiceMemory(process.WorkingSet64, process.PeakWorkingSet64);
    }

    /// <summary>Mebibytes with one decimal, or <c>n/a</c>.</summary>
    public static string Mb(long? bytes) => bytes is long b ? (b / 1024.0 / 1024.0).ToString("0.0", CultureInfo.InvariantCulture) : "n/a";
}
