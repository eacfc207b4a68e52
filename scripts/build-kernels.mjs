console.log("kernels: none yet")
