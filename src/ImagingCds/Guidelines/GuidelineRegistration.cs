using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;

namespace ImagingCds.Guidelines;

/// <summary>Registration of the guideline library (fact catalog, terminology, policies), loaded and validated at start-up.</summary>
public static class GuidelineRegistration
{
    public static IHostApplicationBuilder AddGuidelines(this IHostApplicationBuilder builder)
    {
        ArgumentNullException.ThrowIfNull(builder);
        builder.Services.AddOptions<GuidelineOptions>().BindConfiguration(GuidelineOptions.Section).ValidateDataAnnotations().ValidateOnStart();
        builder.Services.TryAddSingleton(sp =>
        {
            var options = sp.GetRequiredService<IOptions<GuidelineOptions>>().Value;
            var folder = Path.IsPathRooted(options.Folder) ? options.Folder : Path.Combine(AppContext.BaseDirectory, options.Folder);
            return GuidelineLibrary.Load(folder, options.RequireAllPolicies ? GuidelineLibrary.RequiredPolicies : []);
        });
        return builder;
    }
}
