package registry

import (
	"context"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-containerregistry/pkg/name"
	ggcrregistry "github.com/google/go-containerregistry/pkg/registry"
	"github.com/google/go-containerregistry/pkg/v1/random"
	"github.com/google/go-containerregistry/pkg/v1/remote"
	"github.com/google/go-containerregistry/pkg/v1/tarball"

	"github.com/netconform/netconform/framework/images"
)

// A saved image lands in a plain-HTTP registry under the reference
// -image-registry runs it as.
func TestPushArchiveWritesWhatRunRefPulls(t *testing.T) {
	srv := httptest.NewServer(ggcrregistry.New())
	defer srv.Close()
	reg := strings.TrimPrefix(srv.URL, "http://")

	src := images.Ref(images.Agent)
	img, err := random.Image(1024, 2)
	if err != nil {
		t.Fatal(err)
	}
	archive := filepath.Join(t.TempDir(), "agent.tar")
	srcTag, _ := name.NewTag(src)
	if err := tarball.WriteToFile(archive, srcTag, img); err != nil {
		t.Fatal(err)
	}
	dst := images.Remap(src, reg)
	p, err := pushArchive(context.Background(), archive, src, dst, []name.Option{name.Insecure})
	if err != nil {
		t.Fatal(err)
	}
	if err := images.SetRegistry(reg); err != nil {
		t.Fatal(err)
	}
	defer images.SetRegistry("")
	if images.RunRef(images.Agent) != p.Ref {
		t.Errorf("pushed as %s, but runs as %s", p.Ref, images.RunRef(images.Agent))
	}
	pulled, err := name.ParseReference(images.RunRef(images.Agent), name.Insecure)
	if err != nil {
		t.Fatal(err)
	}
	got, err := remote.Image(pulled)
	if err != nil {
		t.Fatalf("pulling %s back: %v", images.RunRef(images.Agent), err)
	}
	want, _ := img.Digest()
	if d, _ := got.Digest(); d != want || p.Digest != want.String() {
		t.Errorf("pulled digest %s, pushed %s, want %s", d, p.Digest, want)
	}
}

func TestPushRefusesWhatCannotBeARegistry(t *testing.T) {
	for _, bad := range []string{"", "http://reg:5000"} {
		if _, err := Push(context.Background(), bad, nil, PushOptions{}); err == nil {
			t.Errorf("Push to %q did not fail", bad)
		}
	}
	if _, err := Push(context.Background(), "reg.example:5000", []string{"no-such-image"}, PushOptions{}); err == nil || !strings.Contains(err.Error(), "unknown image") {
		t.Errorf("Push of an unknown image: %v", err)
	}
}

func TestTheRegistryImageIsInTheCatalog(t *testing.T) {
	img, err := images.Get(Image)
	if err != nil {
		t.Fatal(err)
	}
	if img.Ref != "docker.io/netconform/registry:"+Version || img.Recipe == nil || img.Recipe.Module != "build/distribution" {
		t.Errorf("registry image = %+v", img)
	}
	if !strings.Contains(img.Recipe.Dockerfile, "config-dev.yml /etc/distribution/config.yml") {
		t.Errorf("the registry image has no configuration: %s", img.Recipe.Dockerfile)
	}
}
