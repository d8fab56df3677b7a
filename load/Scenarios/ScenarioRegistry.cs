namespace Vod.Load.Scenarios;

/// <summary>The one place a scenario's name (the command line's first word) is mapped to its type.</summary>
internal static class ScenarioRegistry
{
    private static readonly (string Name, Func<LoadOptions, Scenario> Create)[] All =
    [
        ("steady", options => new SteadyScenario(options)),
        ("flash-crowd", options => new FlashCrowdScenario(options)),
        ("chaos", options => new ChaosScenario(options)),
        ("throughput", options => new ThroughputScenario(options)),
    ];

    /// <summary>Every scenario name, in the order the usage lists them.</summary>
    public static IReadOnlyList<string> Names { get; } = [.. All.Select(s => s.Name)];

    /// <exception cref="UsageException">no scenario has that name.</exception>
    public static string Require(string name) => Find(name).Name;

    /// <exception cref="UsageException">no scenario has the options' name.</exception>
    public static Scenario Create(LoadOptions options) => Find(options.Scenario).Create(options);

    private static (string Name, Func<LoadOptions, Scenario> Create) Find(string name) =>
        All.FirstOrDefault(s => s.Name == name) is { Name: not null } found
            ? found
            : throw new UsageException($"unknown scenario '{name}' (one of {string.Join(", ", Names)})");
}
