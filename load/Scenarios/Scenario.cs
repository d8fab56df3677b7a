using Vod.Load.Reporting;

namespace Vod.Load.Scenarios;

/// <summary>
/// One scenario of the tool (<see cref="ScenarioRegistry"/> maps its name to its type), in the three phases
/// <see cref="LoadTool"/> calls in order, each with the <see cref="ScenarioContext"/> of the run:
/// <list type="number">
/// <item><see cref="PrepareAsync"/>: its own set-up against the stack (the fleet, a purge, the throughput target), within
/// the 30 s set-up bound;</item>
/// <item><see cref="RunAsync"/>: the load itself until the run's end, recorded into <see cref="ScenarioContext.Recorder"/>;</item>
/// <item><see cref="Summarise"/>: its own figures and failures added to the report.</item>
/// </list>
/// </summary>
internal abstract class Scenario(LoadOptions options)
{
    protected LoadOptions Options { get; } = options;

    /// <summary>How many viewers (or connections) load the stack at once: the header's count, the report's <c>viewers</c>.</summary>
    public virtual int Concurrency => Options.Viewers;

    /// <summary>What <see cref="Concurrency"/> counts, in the header.</summary>
    public virtual string ConcurrencyUnit => "viewers";

    /// <summary>Whether the catalog's ready titles are chosen for it (<see cref="ScenarioContext.Titles"/>) before it prepares.</summary>
    public virtual bool NeedsTitles => true;

    public abstract Task PrepareAsync(ScenarioContext context, CancellationToken setup);

    public abstract Task RunAsync(ScenarioContext context, CancellationToken runEnd);

    /// <summary>The report with this scenario's own figures (<see cref="RunReport.Extra"/>, <see cref="RunReport.Chaos"/>) and failures.</summary>
    public virtual RunReport Summarise(RunReport report) => report;

    /// <summary>The report with <paramref name="figures"/> under <paramref name="name"/> in <see cref="RunReport.Extra"/>, written as they are.</summary>
    protected static RunReport WithExtra(RunReport report, string name, object figures) =>
        report with { Extra = new Dictionary<string, object>(report.Extra, StringComparer.Ordinal) { [name] = figures } };
}
