namespace Vod.Load.Scenarios;

/// <summary><c>steady</c>: the viewers start over the ramp and play title after title until the run ends.</summary>
internal sealed class SteadyScenario(LoadOptions options) : Scenario(options)
{
    public static readonly TimeSpan DefaultRamp = TimeSpan.FromSeconds(10);

    public override Task PrepareAsync(ScenarioContext context, CancellationToken setup) => Task.CompletedTask;

    public override Task RunAsync(ScenarioContext context, CancellationToken runEnd) =>
        ViewerPool.RunAsync(context, context.Titles, Options.Ramp ?? DefaultRamp, repeat: true, runEnd);
}
