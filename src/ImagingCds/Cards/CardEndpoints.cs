using ImagingCds.Guidelines;

namespace ImagingCds.Cards;

/// <summary>Pages the cards link to: each policy (one anchor per rule), documentation forms and their Questionnaires.</summary>
public static class CardEndpoints
{
    public static IHostApplicationBuilder AddCards(this IHostApplicationBuilder builder)
    {
        ArgumentNullException.ThrowIfNull(builder);
        builder.Services.AddOptions<FormOptions>().BindConfiguration(FormOptions.Section).ValidateDataAnnotations().ValidateOnStart();
        builder.Services.AddSingleton<FormSessions>();
        builder.Services.AddSingleton<DocumentationForms>();
        return builder;
    }

    public static IEndpointRouteBuilder MapCards(this IEndpointRouteBuilder app)
    {
        ArgumentNullException.ThrowIfNull(app);
        app.MapGet("/policies/{policyId}", (string policyId, GuidelineLibrary library) =>
            library.Policies.FirstOrDefault(p => p.Id == policyId) is { } policy
                ? Results.Content(PolicyPage.Render(policy, library.Catalog), "text/html; charset=utf-8")
                : Results.Problem(detail: $"no policy has id '{policyId}'", statusCode: StatusCodes.Status404NotFound));
        app.MapGet("/forms/{token}", (string token, DocumentationForms forms) => forms.Page(token));
        app.MapPost("/forms/{token}", (string token, HttpRequest request, DocumentationForms forms, CancellationToken cancellationToken) =>
            forms.SubmitAsync(token, request, cancellationToken));
        app.MapGet("/fhir/Questionnaire/{id}", (string id, HttpRequest request, DocumentationForms forms) =>
            forms.Questionnaire(id, $"{request.Scheme}://{request.Host}{request.PathBase}"));
        return app;
    }
}
