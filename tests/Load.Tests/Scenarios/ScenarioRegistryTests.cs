using Vod.Load.Scenarios;
using Vod.Load.Tests.Infrastructure;

namespace Vod.Load.Tests.Scenarios;

public sealed class ScenarioRegistryTests
{
    [Theory]
    [InlineData("steady", typeof(SteadyScenario))]
    [InlineData("flash-crowd", typeof(FlashCrowdScenario))]
    [InlineData("chaos", typeof(ChaosScenario))]
    [InlineData("throughput", typeof(ThroughputScenario))]
    public void Create_DocumentedName_MakesThatScenario(string name, Type expected)
    {
        var scenario = ScenarioRegistry.Create(LoadOptions.Parse([name]));

        Assert.IsType(expected, scenario);
    }

    [Fact]
    public void Names_AgainstTheUsage_AreTheScenariosItLists()
    {
        var line = LoadOptions.Usage.Split('\n').Select(l => l.Trim()).Single(l => l.StartsWith("scenarios:", StringComparison.Ordinal));
        var documented = line["scenarios:".Length..].Split('|', StringSplitOptions.TrimEntries);

        Assert.Equal(documented, ScenarioRegistry.Names);
    }

    [Theory]
    [InlineData("nope")]
    [InlineData("Steady")]
    [InlineData("")]
    public void Create_UnknownName_IsAUsageErrorListingEveryScenario(string name)
    {
        var e = Assert.Throws<UsageException>(() => ScenarioRegistry.Create(new LoadOptions { Scenario = name }));

        Assert.Equal($"unknown scenario '{name}' (one of steady, flash-crowd, chaos, throughput)", e.Message);
    }

    [Fact]
    public async Task RunAsync_UnknownScenario_ExitsTwoWithTheErrorAndTheUsage()
    {
        using var output = new StringWriter();

        var exit = await LoadTool.RunAsync(["nope", "--viewers", "3"], PlainConsole.Create(output), CancellationToken.None);

        Assert.Equal(2, exit);
        Assert.Contains("error: unknown scenario 'nope' (one of steady, flash-crowd, chaos, throughput)", output.ToString(), StringComparison.Ordinal);
        Assert.Contains("usage: dotnet run -c Release --project load -- <scenario> [options]", output.ToString(), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("steady", 7, "viewers")]
    [InlineData("flash-crowd", 7, "viewers")]
    [InlineData("chaos", 7, "viewers")]
    [InlineData("throughput", 5, "connections")]
    public void Concurrency_EachScenario_IsItsViewersOrConnections(string name, int count, string unit)
    {
        var scenario = ScenarioRegistry.Create(LoadOptions.Parse([name, "--viewers", "7", "--connections", "5"]));

        Assert.Equal((count, unit), (scenario.Concurrency, scenario.ConcurrencyUnit));
    }
}
