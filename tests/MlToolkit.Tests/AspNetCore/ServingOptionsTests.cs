using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using MlToolkit.Storage;

namespace MlToolkit.Tests.AspNetCore;

public class ServingOptionsTests
{
    [Fact]
    public void MapPredictionEndpoints_NoModelAndBadLimits_OneExceptionListingEachProblem()
    {
        WebApplicationBuilder builder = WebApplication.CreateSlimBuilder();
        builder.Services.AddMlToolkitServing(o =>
        {
            o.MaxBatchSize = 0;
            o.MaxRequestBodyBytes = 1;
        });
        WebApplication app = builder.Build();

        var ex = Assert.Throws<OptionsValidationException>(() => app.MapPredictionEndpoints());

        Assert.Equal(
            ["Serving: no model is configured; call AddModel(name, store).", "Serving: MaxRequestBodyBytes is 1; it must be at least 2.", "Serving: MaxBatchSize is 0; it must be at least 1."],
            ex.Failures);
    }

    [Fact]
    public void AddModel_NameThatCannotBeARouteSegment_ListedAtStart()
    {
        WebApplicationBuilder builder = WebApplication.CreateSlimBuilder();
        builder.Services.AddMlToolkitServing(o => o.AddModel("churn model", new LocalArtifactStore(Path.GetTempPath())));
        WebApplication app = builder.Build();

        var ex = Assert.Throws<OptionsValidationException>(() => app.MapPredictionEndpoints());

        Assert.Equal(["Serving: the model name 'churn model' cannot be a route segment; use letters, digits, '.', '_' and '-'."], ex.Failures);
    }
}
