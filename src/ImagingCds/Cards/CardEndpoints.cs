using ImagingCds.Guidelines;

namespace ImagingCds.Cards;

/// <summary>Pages the cards link to: each policy, readable, one anchor per rule.</summary>
public static class CardEndpoints
{
    public static IEndpointRouteBuilder MapCards(this IEndpointRouteBuilder app)
    {
        ArgumentNullException.ThrowIfNull(app);
        app.MapGet("/policies/{policyId}", (string policyId, GuidelineLibrary library) =>
            library.Policies.FirstOrDefault(p => p.Id == policyId) is { } policy
                ? Results.Content(PolicyPage.Render(policy, library.Catalog), "text/html; charset=utf-8")
                : Results.Problem(detail: $"no policy has id '{policyId}'", statusCode: StatusCodes.Status404NotFound));
        return app;
    }
}
