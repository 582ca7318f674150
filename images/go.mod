module go-demo-2.local/images

go 1.26
