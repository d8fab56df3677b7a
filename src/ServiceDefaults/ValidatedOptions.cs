using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace Vod.ServiceDefaults;

public static class ValidatedOptions
{
    /// <summary>
    /// Binds options from a configuration section and validates their data annotations when the host starts, so a
    /// bad setting stops the service at boot with a message rather than failing the first request.
    /// </summary>
    public static OptionsBuilder<T> AddValidatedOptions<T>(this IServiceCollection services, IConfiguration configuration, string section)
        where T : class =>
        services.AddOptions<T>().Bind(configuration.GetSection(section)).ValidateDataAnnotations().ValidateOnStart();
}
