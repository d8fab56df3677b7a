using Spectre.Console;
using Vod.Load.Reporting;
using Vod.Load.Scenarios;
using Vod.Load.Viewer;

namespace Vod.Load;

/// <summary>
/// The tool's entry point, callable in-process (the integration test does): parse the command line, run the
/// scenario for its bounded time, print the tables, write the JSON and HTML reports, and answer the exit code
/// (0 pass, 1 a pass criterion failed, 2 usage or set-up error).
/// </summary>
internal static class LoadTool
{
    public static async Task<int> RunAsync(IReadOnlyList<string> args, IAnsiConsole console, CancellationToken cancellationToken)
    {
        if (args is [] or ["-h" or "--help" or "help"])
        {
            console.WriteLine(LoadOptions.Usage);
            return args.Count == 0 ? 2 : 0;
        }

        LoadOptions options;
        try
        {
            options = LoadOptions.Parse(args);
        }
        catch (UsageException e)
        {
            console.MarkupLineInterpolated($"[red]error:[/] {e.Message}");
            console.WriteLine(LoadOptions.Usage);
            return 2;
        }

        RunReport report;
        try
        {
            report = await RunAsync(options, console, TimeProvider.System, cancellationToken);
        }
        catch (Exception e) when (e is UsageException or NotLoopbackException or HttpRequestException or FormatException)
        {
            console.MarkupLineInterpolated($"[red]error:[/] {e.Message}");
            return 2;
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            console.MarkupLine("[red]error:[/] the stack did not answer within the 30 s set-up time");
            return 2;
        }

        ConsoleReport.Write(console, report);
        if (options.JsonFile is { } json)
        {
            await File.WriteAllTextAsync(json, JsonReport.Write(report), CancellationToken.None);
            console.MarkupLineInterpolated($"JSON report: {Path.GetFullPath(json)}");
        }

        if (options.HtmlFile is { } html)
        {
            await File.WriteAllTextAsync(html, HtmlReport.Write(report), CancellationToken.None);
            console.MarkupLineInterpolated($"HTML report: {Path.GetFullPath(html)}");
        }

        return report.Passed ? 0 : 1;
    }

    /// <summary>The scenario the options name, in its phases: prepare, run, summarise.</summary>
    public static async Task<RunReport> RunAsync(LoadOptions options, IAnsiConsole console, TimeProvider time, CancellationToken cancellationToken)
    {
        var scenario = ScenarioRegistry.Create(options);
        // Set-up (catalog, fleet, purge, metrics, the throughput target) is bounded too: 30 s in all.
        using var setup = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        setup.CancelAfter(TimeSpan.FromSeconds(30));
        using var context = await ScenarioContext.OpenAsync(scenario, options, console, time, setup.Token, cancellationToken);
        await scenario.PrepareAsync(context, setup.Token);
        var snapshot = await RunBoundedAsync(scenario, context, cancellationToken);
        var report = scenario.Summarise(RunReport.From(options.Scenario, scenario.Concurrency, snapshot) with { Uploads = context.Uploads?.Figures });
        return report with { Failures = [.. RunReport.Check(report, options.Thresholds), .. report.Failures] };
    }

    /// <summary>
    /// The scenario's run for <c>--duration</c> with the progress line, and the <c>--uploads</c> beside it: they start with
    /// the run, and those still transcoding at its end get the upload time-out.
    /// </summary>
    private static async Task<RunSnapshot> RunBoundedAsync(Scenario scenario, ScenarioContext context, CancellationToken cancellationToken)
    {
        var (options, console, recorder, uploads, titles) = (context.Options, context.Console, context.Recorder, context.Uploads, context.Titles);
        console.MarkupLineInterpolated(
            $"[bold]{options.Scenario}[/]: {scenario.Concurrency} {scenario.ConcurrencyUnit}, {options.Duration.TotalSeconds:0.#} s against {string.Join(", ", options.Origins)}{(titles.Count > 0 ? $", titles {string.Join(",", titles.Select(t => t.Id))}" : "")}");
        using var runEnd = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        using var uploadDeadline = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        runEnd.CancelAfter(options.Duration);
        var uploading = uploads?.RunAsync(options.Duration / 2, runEnd.Token, uploadDeadline.Token) ?? Task.CompletedTask;
        var work = scenario.RunAsync(context, runEnd.Token);
        try
        {
            await Scenarios.Progress.ShowAsync(console, recorder, options, work);
            await work;
        }
        catch
        {
            // No upload may outlive the run (its clips are deleted with it).
            await runEnd.CancelAsync();
            await uploadDeadline.CancelAsync();
            await Task.WhenAny(uploading);
            throw;
        }

        var snapshot = recorder.Snapshot();
        if (uploads is not null)
        {
            // Past the viewers' end (the rates above stop there): the uploads still transcoding get the upload time-out.
            if (!uploading.IsCompleted)
            {
                console.MarkupLineInterpolated($"waiting up to {options.UploadTimeout.TotalSeconds:0} s for the uploads still in progress");
            }

            uploadDeadline.CancelAfter(options.UploadTimeout);
            await uploading;
            snapshot = snapshot with { Events = recorder.Snapshot().Events };
        }

        return snapshot;
    }
}
