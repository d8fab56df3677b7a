using Vod.Load.Reporting;
using Vod.Load.Viewer;

namespace Vod.Load.Scenarios;

/// <summary>
/// N concurrent virtual viewers: viewer i starts at i × ramp / N and plays sessions back to back (each on the next
/// title, round robin from its own offset) until the run ends; sessions still playing then count as interrupted.
/// </summary>
internal static class ViewerPool
{
    /// <summary>Per viewer; with titles of a few seconds this still stops long before the run's end.</summary>
    private const int MaxSessionsPerViewer = 10_000;

    /// <summary>The run's viewers (<c>--viewers</c> of them, with its viewer settings and origin entries) on <paramref name="titles"/>.</summary>
    /// <param name="observe">Sees every edge object loaded (flash-crowd counts the distinct ones).</param>
    public static Task RunAsync(ScenarioContext context, IReadOnlyList<ReadyTitle> titles, TimeSpan ramp, bool repeat, CancellationToken runEnd,
        Action<Uri, ByteRange>? observe = null)
    {
        var loader = new HlsLoader(context.Http, context.Recorder, context.Time) { Observe = observe };
        var viewer = new VirtualViewer(loader, context.Recorder, context.Time, context.Options.Viewer);
        return RunAsync(viewer, context.Recorder, context.Options.Origins, titles, context.Options.Viewers, ramp, repeat, context.Time, runEnd);
    }

    /// <param name="entries">The origin entry URLs: a viewer asks the first for the master and falls back in order.</param>
    public static async Task RunAsync(VirtualViewer viewer, RunRecorder recorder, IReadOnlyList<Uri> entries, IReadOnlyList<ReadyTitle> titles, int viewers,
        TimeSpan ramp, bool repeat, TimeProvider time, CancellationToken runEnd)
    {
        var tasks = Enumerable.Range(0, viewers).Select(i => Task.Run(async () =>
        {
            try
            {
                await Task.Delay(ramp * i / viewers, time, runEnd);
                for (var session = 0; session < (repeat ? MaxSessionsPerViewer : 1) && !runEnd.IsCancellationRequested; session++)
                {
                    var title = titles[(i + session) % titles.Count];
                    recorder.SessionStarted();
                    var (outcome, result, failure) = await viewer.PlayAsync(entries.Select(e => new Uri(e, $"/play/{title.Id}/master.m3u8")).ToList(), runEnd);
                    recorder.SessionEnded(outcome, result, failure is null ? null : $"{title.Id}: {failure}");
                    if (outcome == SessionOutcome.Failed)
                    {
                        await Task.Delay(TimeSpan.FromSeconds(1), time, runEnd); // no hot loop against a broken stack
                    }
                }
            }
            catch (OperationCanceledException) when (runEnd.IsCancellationRequested)
            {
            }
        }, CancellationToken.None));
        await Task.WhenAll(tasks);
    }
}
