using Vod.Common.Catalog;
using Vod.Origin.Admin;
using Vod.Origin.Catalog;
using Vod.Origin.Edges;
using Vod.Origin.Jobs;
using Vod.Origin.Media;
using Vod.Origin.Origins;
using Vod.Origin.Pages;
using Vod.Origin.Playback;
using Vod.Origin.Purge;
using Vod.Origin.Steering;
using Vod.Origin.Uploads;
using Vod.ServiceDefaults;
using Vod.ServiceDefaults.Tls;

// appsettings.json is read from beside the binary, whatever the working directory.
var builder = WebApplication.CreateBuilder(new WebApplicationOptions { Args = args, ContentRootPath = AppContext.BaseDirectory });
builder.AddServiceDefaults();
builder.Services.AddMediaStore(builder.Configuration);
builder.Services.AddMediaStoreHealthCheck();
builder.Services.AddAdminKey(builder.Configuration);
builder.Services.AddCatalog();
builder.Services.AddUploads(builder.Configuration);
builder.Services.AddJobQueue(builder.Configuration);
builder.Services.AddEdgeMonitor(builder.Configuration);
builder.Services.AddSteering(builder.Configuration);
builder.Services.AddPlayback(builder.Configuration);
builder.Services.AddMediaCors();
builder.Services.AddOrigins(builder.Configuration);
builder.Services.AddEdgeCachePurge(builder.Configuration);

var app = builder.Build();
app.MapServiceDefaults();
app.UseStrictTransportSecurity();
app.UseOriginCors();
app.UseRateLimiter();
app.UsePlaybackCors();
app.UseMediaFiles();
app.UsePages();
app.MapUploads();
app.MapCatalog();
app.MapAdminCheck();
app.MapPlayback();
app.MapSteering();
app.MapEdges();
app.MapOrigins();
app.MapPurge();
app.Run();

