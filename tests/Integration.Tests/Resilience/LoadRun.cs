using System.Text.Json;
using Spectre.Console;
using Vod.Load;

namespace Vod.Integration.Tests.Resilience;

/// <summary>The load tool run in-process for a test: its JSON report and console output.</summary>
internal sealed class LoadRun : IDisposable
{
    private readonly string _json = Path.Combine(Path.GetTempPath(), $"vod-load-{Guid.NewGuid():N}.json");
    private readonly StringWriter _output = new();

    public string Output => _output.ToString();

    public JsonElement Report => JsonDocument.Parse(File.ReadAllText(_json)).RootElement;

    public async Task<int> RunAsync(TimeSpan timeout, params string[] args)
    {
        var console = AnsiConsole.Create(new AnsiConsoleSettings
        {
            Ansi = AnsiSupport.No,
            ColorSystem = ColorSystemSupport.NoColors,
            Interactive = InteractionSupport.No,
            Out = new AnsiConsoleOutput(_output),
        });
        using var cancel = new CancellationTokenSource(timeout);
        return await LoadTool.RunAsync([.. args, "--json", _json], console, cancel.Token);
    }

    public void Dispose()
    {
        _output.Dispose();
        File.Delete(_json);
    }
}
