# leadflow: one static binary; the same image runs `api`, `worker` and `migrate`.
FROM golang:1.26-bookworm AS build
WORKDIR /src
COPY go.mod go.sum ./
RUN go mod download
COPY . .
RUN CGO_ENABLED=0 go build -trimpath -ldflags="-s -w" -o /out/leadflow ./cmd/leadflow

FROM gcr.io/distroless/static-debian12:nonroot
COPY --from=build /out/leadflow /usr/local/bin/leadflow
ENV LEADFLOW_HTTP_ADDR=0.0.0.0:8080
EXPOSE 8080
USER nonroot
ENTRYPOINT ["/usr/local/bin/leadflow"]
CMD ["api"]
