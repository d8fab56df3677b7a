using Vod.Load.Chaos;
using Vod.Load.Reporting;

namespace Vod.Load.Scenarios;

/// <summary>
/// <c>chaos</c>: the steady viewers while the <see cref="ChaosMonkey"/> hits a process of the <c>--targets</c> kinds every
/// <c>--kill-every</c>; the report gets its hits (<see cref="RunReport.Chaos"/>).
/// </summary>
internal sealed class ChaosScenario(LoadOptions options) : Scenario(options)
{
    private readonly SteadyScenario _viewers = new(options);
    private ChaosMonkey? _monkey;

    /// <summary>Finds each target kind's processes (a kind with none alive is a set-up error).</summary>
    public override async Task PrepareAsync(ScenarioContext context, CancellationToken setup)
    {
        await _viewers.PrepareAsync(context, setup);
        _monkey = new ChaosMonkey(await ChaosTargets.DiscoverAsync(context.Origins, Options, setup), Options.KillSignal == "STOP",
            Options.KillEvery, Options.RestartAfter, Options.RestartCommand, context.Recorder, context.Time, new Random(SpreadSeed(Options.Seed)));
    }

    public override Task RunAsync(ScenarioContext context, CancellationToken runEnd) =>
        Task.WhenAll(_viewers.RunAsync(context, runEnd), Monkey.RunAsync(runEnd));

    public override RunReport Summarise(RunReport report) => _viewers.Summarise(report) with
    {
        Chaos = new ChaosFigures(Options.KillSignal, Options.KillEvery.TotalSeconds, Options.RestartAfter.TotalSeconds,
            Options.Seed, Options.Targets, Monkey.KillsByKind),
    };

    /// <summary>
    /// SplitMix64's finaliser: <see cref="Random"/> seeded with small neighbouring integers (1, 2, 3...) draws
    /// strongly correlated first values (Next(2) gave the same 2nd and 3rd pick for every seed 1-12), so the seed is
    /// mixed first.
    /// </summary>
    internal static int SpreadSeed(int seed)
    {
        var z = unchecked((ulong)seed + 0x9E3779B97F4A7C15UL);
        z = unchecked((z ^ (z >> 30)) * 0xBF58476D1CE4E5B9UL);
        z = unchecked((z ^ (z >> 27)) * 0x94D049BB133111EBUL);
        return unchecked((int)(z ^ (z >> 31)));
    }

    private ChaosMonkey Monkey => _monkey ?? throw new InvalidOperationException("the chaos scenario runs only once prepared");
}
