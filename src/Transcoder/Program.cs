using Vod.Common.Catalog;
using Vod.ServiceDefaults;
using Vod.Storage;
using Vod.Transcoder.Cli;
using Vod.Transcoder.Jobs;

// A one-off command (see Cli/): package a file with the product's ladder code, no worker, no Redis.
if (args is [PackageCommand.Name, ..])
{
    return await PackageCommand.RunAsync(args[1..]);
}

// appsettings.json is read from beside the binary, whatever the working directory.
var builder = WebApplication.CreateBuilder(new WebApplicationOptions { Args = args, ContentRootPath = AppContext.BaseDirectory });
builder.AddServiceDefaults();
builder.Services.AddMediaStore(builder.Configuration);
builder.Services.AddTranscoding(builder.Configuration);

var app = builder.Build();
app.Services.GetRequiredService<IMediaStore>().Scratch.EnsureCreated();
app.MapServiceDefaults();
app.Run();
return 0;
