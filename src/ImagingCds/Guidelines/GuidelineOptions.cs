using System.ComponentModel.DataAnnotations;

namespace ImagingCds.Guidelines;

/// <summary>Where the guideline data lives and which payer maps to which policies (section <c>Guidelines</c>).</summary>
public sealed class GuidelineOptions
{
    public const string Section = "Guidelines";

    /// <summary>Folder holding <c>facts.yaml</c>, <c>terminology/</c> and <c>policies/</c>. Default <c>guidelines</c> beside the app.</summary>
    [Required]
    public string Folder { get; set; } = "guidelines";

    /// <summary>
    /// Payer routes: a Coverage whose payor display, identifier or reference contains one of <see cref="PayerRoute.Match"/> as whole words
    /// (case-insensitive) is evaluated against that route's policies. No Coverage, or no route matched: every policy in scope.
    /// </summary>
    public List<PayerRoute> PayerRoutes { get; set; } = [];

    /// <summary>
    /// Refuse to start unless every policy id of DESIGN.md is present. Default true; policy authors may turn it
    /// off (<c>Guidelines__RequireAllPolicies=false</c>) while a new library is being written.
    /// </summary>
    public bool RequireAllPolicies { get; set; } = true;
}

/// <summary>One payer → policies mapping.</summary>
public sealed class PayerRoute
{
    public List<string> Match { get; set; } = [];

    public List<string> Policies { get; set; } = [];
}
