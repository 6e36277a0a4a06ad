using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;

// Built the way `nodeagent run` builds its host, with nothing in it: what is left is the runtime's and the host's own.
var builder = Host.CreateEmptyApplicationBuilder(new HostApplicationBuilderSettings { DisableDefaults = true });
using var idle = new IdleService();
builder.Services.AddSingleton<IHostedService>(idle);
using var host = builder.Build();
await host.RunAsync().ConfigureAwait(false);

internal sealed class IdleService : BackgroundService
{
    protected override Task ExecuteAsync(CancellationToken stoppingToken) =>
        Task.Delay(Timeout.Infinite, stoppingToken).ContinueWith(_ => { }, TaskScheduler.Default);
}
