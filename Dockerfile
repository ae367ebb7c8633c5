# Builds exactly what CI builds: .ci/run runs the same restore and publish commands on the same sources.
FROM mcr.microsoft.com/dotnet/sdk:10.0 AS build
WORKDIR /src
COPY Directory.Build.props Directory.Packages.props BannedSymbols.txt ImagingCds.sln cds-services.json ./
COPY src/ src/
COPY tests/ tests/
COPY tools/ tools/
COPY guidelines/ guidelines/
RUN dotnet restore ImagingCds.sln
RUN dotnet publish src/ImagingCds/ImagingCds.csproj -c Release -o /app/publish --no-restore

FROM mcr.microsoft.com/dotnet/aspnet:10.0 AS runtime
WORKDIR /app
COPY --from=build /app/publish .
ENV ASPNETCORE_URLS=http://+:8080 \
    ASPNETCORE_ENVIRONMENT=Production \
    DOTNET_CLI_TELEMETRY_OPTOUT=1
EXPOSE 8080
# The aspnet image's non-root user.
USER $APP_UID
HEALTHCHECK --interval=30s --timeout=5s --start-period=15s --retries=3 \
  CMD ["dotnet", "ImagingCds.dll", "--health-check", "http://127.0.0.1:8080/healthz"]
ENTRYPOINT ["dotnet", "ImagingCds.dll"]
