using System.ComponentModel.DataAnnotations;

namespace ImagingCds.Hooks;

/// <summary>Limits on what a hook request may hold (section <c>Hooks</c> of configuration).</summary>
public sealed class HookOptions
{
    public const string Section = "Hooks";

    /// <summary>Largest request body accepted, in bytes; larger bodies get 413. Default 16 MiB (a 5,000-resource prefetch fits).</summary>
    [Range(1024, 256 * 1024 * 1024)]
    public long MaxRequestBytes { get; set; } = 16 * 1024 * 1024;

    /// <summary>Deepest JSON nesting accepted; deeper bodies get 400. Default 64 (FHIR resources rarely pass 12).</summary>
    [Range(8, 256)]
    public int MaxJsonDepth { get; set; } = 64;

    /// <summary>Most entries accepted in one Bundle (draft orders or a prefetch value); more get 400. Default 10,000.</summary>
    [Range(1, 100_000)]
    public int MaxBundleEntries { get; set; } = 10_000;

    /// <summary>
    /// The service's public base URL for links in cards (policy pages, documentation forms). Default: none, the scheme
    /// and host of each hook call are used; set it when the service runs behind a proxy.
    /// </summary>
    [Url]
    public string? PublicBaseUrl { get; set; }

    /// <summary>Path of the discovery document served at <c>GET /cds-services</c>. Default <c>cds-services.json</c> beside the app.</summary>
    [Required]
    public string DiscoveryFile { get; set; } = "cds-services.json";
}
