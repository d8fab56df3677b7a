using Vod.Common.Catalog;
using Vod.ServiceDefaults;
using Vod.Storage;
using Vod.Transcoder.Jobs;

// appsettings.json is read from beside the binary, whatever the working directory.
var builder = WebApplication.CreateBuilder(new WebApplicationOptions { Args = args, ContentRootPath = AppContext.BaseDirectory });
builder.AddServiceDefaults();
builder.Services.AddMediaStore(builder.Configuration);
builder.Services.AddTranscoding(builder.Configuration);

var app = builder.Build();
app.Services.GetRequiredService<IMediaStore>().Scratch.EnsureCreated();
app.MapServiceDefaults();
app.Run();
