using ImagingCds.Hooks;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;

namespace ImagingCds.Feedback;

/// <summary>Registration and routes of CDS Hooks feedback (DESIGN.md "HTTP surface") and its summary report.</summary>
public static class FeedbackEndpoints
{
    public static IHostApplicationBuilder AddFeedback(this IHostApplicationBuilder builder)
    {
        ArgumentNullException.ThrowIfNull(builder);
        builder.Services.AddOptions<FeedbackOptions>().BindConfiguration(FeedbackOptions.Section).ValidateDataAnnotations().ValidateOnStart();
        builder.Services.TryAddSingleton(TimeProvider.System);
        var contentRoot = builder.Environment.ContentRootPath;
        builder.Services.AddSingleton(sp =>
        {
            var path = FeedbackStore.ResolvePath(sp.GetRequiredService<IOptions<FeedbackOptions>>().Value.DatabasePath, contentRoot, out var fellBack);
            if (fellBack)
            {
                FeedbackLog.DatabaseFellBack(sp.GetRequiredService<ILogger<FeedbackStore>>(), path);
            }

            return new FeedbackStore(path);
        });
        builder.Services.AddSingleton<IssuedCards>();
        builder.Services.AddSingleton<FeedbackHandler>();
        builder.Services.AddHostedService<IssuedCardWriter>();
        return builder;
    }

    public static IEndpointRouteBuilder MapFeedback(this IEndpointRouteBuilder app)
    {
        ArgumentNullException.ThrowIfNull(app);
        app.MapPost("/cds-services/{serviceId}/feedback", (string serviceId, HttpRequest request, FeedbackHandler handler, CancellationToken cancellationToken) =>
            handler.ReceiveAsync(serviceId, request, cancellationToken)).RequireCors(HookEndpoints.CorsPolicy);
        app.MapGet("/feedback/summary", (FeedbackHandler handler, CancellationToken cancellationToken) => handler.SummaryAsync(cancellationToken));
        return app;
    }
}
