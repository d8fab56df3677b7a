using Spectre.Console;
using Vod.Load.Reporting;

namespace Vod.Load.Scenarios;

/// <summary>The live progress line: a Spectre status line on a terminal, a plain line every 5 s otherwise (CI logs).</summary>
internal static class Progress
{
    public static async Task ShowAsync(IAnsiConsole console, RunRecorder recorder, LoadOptions options, Task work)
    {
        if (console.Profile.Capabilities.Interactive)
        {
            await console.Status().StartAsync("starting", async ctx =>
            {
                while (!work.IsCompleted)
                {
                    recorder.SampleActive();
                    ctx.Status(Markup.Escape(Line(recorder, options)));
                    await Task.WhenAny(work, Task.Delay(TimeSpan.FromSeconds(1)));
                }
            });
            return;
        }

        var lastPrinted = TimeSpan.Zero;
        while (!work.IsCompleted)
        {
            recorder.SampleActive();
            if (recorder.Elapsed - lastPrinted >= TimeSpan.FromSeconds(5))
            {
                lastPrinted = recorder.Elapsed;
                console.WriteLine(Line(recorder, options));
            }

            await Task.WhenAny(work, Task.Delay(TimeSpan.FromSeconds(1)));
        }
    }

    private static string Line(RunRecorder r, LoadOptions options)
    {
        var seconds = Math.Max(r.Elapsed.TotalSeconds, 1e-3);
        return $"{r.Elapsed.TotalSeconds,5:0}/{options.Duration.TotalSeconds:0} s  active {r.Active}  sessions {r.StartedSessions} (failed {r.Failed})  " +
            $"rebuffers {r.RebuffersStarted}  {r.Requests / seconds:0} req/s  {r.Bytes / seconds / 1e6:0.0} MB/s  errors {r.ErrorCount}";
    }
}
